using System.Collections.Immutable;
using Marketing.Abstractions.Search;
using Marketing.Ml.Embeddings;

namespace Marketing.Grains.Search;

/// <summary>
/// The encoder as a grain. Reentrant as well as a stateless worker: a call only waits for the silo's batching encoder,
/// so one activation takes any number of concurrent texts and the encoder, not the grain, decides the batches.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class EmbeddingGrain(ITextEncoder encoder, QueryEmbeddingCache queries) : Grain, IEmbeddingGrain
{
    public async Task<float[]> Embed(string text)
    {
        try
        {
            return await encoder.EncodeAsync(text);
        }
        catch (EncoderOverloadedException overloaded)
        {
            throw new EncoderBusyException(overloaded.Message);
        }
    }

    public async Task<float[]> EmbedQuery(string query)
    {
        try
        {
            return await queries.EmbedAsync(query);
        }
        catch (EncoderOverloadedException overloaded)
        {
            throw new EncoderBusyException(overloaded.Message);
        }
    }

    public async Task<ImmutableArray<float[]>> EmbedMany(ImmutableArray<string> texts)
    {
        try
        {
            return [.. await encoder.EncodeBatchAsync(texts)];
        }
        catch (EncoderOverloadedException overloaded)
        {
            throw new EncoderBusyException(overloaded.Message);
        }
    }

    public Task<EncoderInfo> Describe() => Task.FromResult(encoder is BatchingTextEncoder batching
        ? new EncoderInfo(batching.Provider.ToString(), batching.Dimensions, batching.QueueLength)
        : new EncoderInfo(encoder.GetType().Name, encoder.Dimensions, 0));
}
