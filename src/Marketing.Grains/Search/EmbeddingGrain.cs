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
    public Task<float[]> Embed(string text) => RefuseWhenBusy(() => encoder.EncodeAsync(text));

    public Task<float[]> EmbedQuery(string query) => RefuseWhenBusy(() => queries.EmbedAsync(query));

    public Task<EncoderInfo> Describe() => Task.FromResult(encoder is BatchingTextEncoder batching
        ? new EncoderInfo(batching.Provider.ToString(), batching.Dimensions, batching.QueueLength)
        : new EncoderInfo(encoder.GetType().Name, encoder.Dimensions, 0));

    /// <summary>The encoder's own overload exception becomes one every client can deserialise.</summary>
    private static async Task<float[]> RefuseWhenBusy(Func<ValueTask<float[]>> encode)
    {
        try
        {
            return await encode();
        }
        catch (EncoderOverloadedException overloaded)
        {
            throw new EncoderBusyException(overloaded.Message);
        }
    }
}
