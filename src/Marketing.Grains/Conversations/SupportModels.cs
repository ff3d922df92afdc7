using Marketing.Ml.Embeddings;
using Marketing.Ml.Support;

namespace Marketing.Grains.Conversations;

/// <summary>
/// The silo's intent classifier and sentiment analyser, trained on the shop's own utterances on first use (a few
/// seconds on the silo's encoder) and shared by every conversation on the silo.
/// </summary>
public sealed class SupportModels(ITextEncoder encoder)
{
    private readonly Lock _lock = new();
    private Task<IntentRecognizer>? _intents;
    private Task<SentimentAnalyzer>? _sentiment;

    public async Task<IIntentClassifier> IntentsAsync() => await Once(ref _intents, () => IntentRecognizer.ForShopAsync(encoder));

    public async Task<ISentimentAnalyzer> SentimentAsync() => await Once(ref _sentiment, () => SentimentAnalyzer.ForShopAsync(encoder));

    /// <summary>Trains both now (the silo's warm-up calls this as it starts).</summary>
    public Task WarmUpAsync() => Task.WhenAll(IntentsAsync(), SentimentAsync());

    /// <summary>The training in flight or done; one that failed is started again by the next caller.</summary>
    private Task<T> Once<T>(ref Task<T>? slot, Func<Task<T>> train)
    {
        lock (_lock)
        {
            if (slot is null || slot.IsFaulted || slot.IsCanceled)
            {
                slot = Task.Run(train);
            }

            return slot;
        }
    }
}
