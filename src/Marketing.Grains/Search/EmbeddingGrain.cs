using Marketing.Abstractions.Search;
using Marketing.Ml.Embeddings;

namespace Marketing.Grains.Search;

/// <summary>
/// The encoder as a grain. Reentrant as well as a stateless worker: a call only waits for the silo's batching encoder,
/// so one activation takes any number of concurrent texts and the encoder, not the grain, decides the batches.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class EmbeddingGrain(ITextEncoder encoder, QueryEmbeddingCache queries, CurrentEmbeddingModel model) : Grain, IEmbeddingGrain
{
    public Task<Embedding> Embed(string text) => RefuseWhenBusy(() => encoder.EncodeAsync(text));

    public Task<Embedding> EmbedQuery(string query) => RefuseWhenBusy(() => queries.EmbedAsync(query));

    public Task<EncoderInfo> Describe() => Task.FromResult(encoder is BatchingTextEncoder batching
        ? new EncoderInfo(batching.Provider.ToString(), batching.Dimensions, batching.QueueLength, model.Id, batching.Precision.ToString(), batching.PrecisionReason)
        : new EncoderInfo(encoder.GetType().Name, encoder.Dimensions, 0, model.Id));

    /// <summary>The encoder's own overload exception becomes one every client can deserialise.</summary>
    private async Task<Embedding> RefuseWhenBusy(Func<ValueTask<float[]>> encode)
    {
        try
        {
            return new Embedding(await encode(), model.Id);
        }
        catch (EncoderOverloadedException overloaded)
        {
            throw new EncoderBusyException(overloaded.Message);
        }
    }
}
