using Marketing.Ml.Embeddings;
using Marketing.Ml.Support;

namespace Marketing.Grains.Conversations;

/// <summary>
/// The silo's intent classifier and sentiment analyser, trained on the shop's own utterances on first use (a few
/// seconds on the silo's encoder) and shared by every conversation on the silo.
/// </summary>
public sealed class SupportModels(ITextEncoder encoder)
{
    private readonly Lazy<Task<IntentRecognizer>> _intents = new(() => IntentRecognizer.ForShopAsync(encoder));
    private readonly Lazy<Task<SentimentAnalyzer>> _sentiment = new(() => SentimentAnalyzer.ForShopAsync(encoder));

    public async Task<IIntentClassifier> IntentsAsync() => await _intents.Value;

    public async Task<ISentimentAnalyzer> SentimentAsync() => await _sentiment.Value;

    /// <summary>Trains both now (a benchmark or a warm-up calls this before the first turn).</summary>
    public Task WarmUpAsync() => Task.WhenAll(_intents.Value, _sentiment.Value);
}
