using Marketing.Ml.Embeddings;

namespace Marketing.Ml.Support;

/// <summary>
/// The sentiment of a message: its most probable label, and a score from -1 (surely negative) to 1 (surely positive):
/// the probability of "positive" less that of "negative", so neutral text sits near 0.
/// </summary>
public sealed record SentimentScore(string Label, float Score);

/// <summary>Reads the sentiment of a shopper's message (what the conversation grain calls each turn).</summary>
public interface ISentimentAnalyzer
{
    Task<SentimentScore> AnalyzeAsync(string text, CancellationToken cancellationToken = default);
}

/// <summary>The same classifier as the intents', trained on sentiment-labelled texts (the shop's own by default).</summary>
public sealed class SentimentAnalyzer(ITextEncoder encoder, TextClassifier classifier) : ISentimentAnalyzer
{
    public const string Positive = "positive";
    public const string Negative = "negative";

    public TextClassifier Classifier { get; } = classifier;

    public static Task<SentimentAnalyzer> ForShopAsync(ITextEncoder encoder, CancellationToken cancellationToken = default) =>
        TrainAsync(encoder, ShopSupportData.Sentiment(), cancellationToken: cancellationToken);

    public static async Task<SentimentAnalyzer> TrainAsync(
        ITextEncoder encoder, IReadOnlyList<LabelledText> examples, TextClassifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(examples);
        var vectors = await encoder.EncodeBatchAsync([.. examples.Select(e => e.Text)], cancellationToken);
        return new SentimentAnalyzer(encoder, TextClassifier.Train(examples, vectors, options ?? IntentModel.DefaultOptions));
    }

    public async Task<SentimentScore> AnalyzeAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var vector = await encoder.EncodeAsync(text, cancellationToken);
        var probabilities = Classifier.Probabilities(text, vector);
        float Probability(string label) => Classifier.Labels.ToList().IndexOf(label) is var i and >= 0 ? probabilities[i] : 0f;
        var best = probabilities.AsSpan().IndexOf(probabilities.Max());
        return new SentimentScore(Classifier.Labels[best], Probability(Positive) - Probability(Negative));
    }
}
