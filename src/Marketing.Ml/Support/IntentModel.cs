namespace Marketing.Ml.Support;

/// <summary>
/// A trained intent classifier with its out-of-scope rule: a text is out of scope when the most probable intent is
/// the out-of-scope intent itself, or when no intent reaches <see cref="Threshold"/>.
/// </summary>
public sealed class IntentModel(TextClassifier classifier, float threshold, string outOfScopeIntent)
{
    /// <summary>The settings measured best on BANKING77 (docs/performance.md), used for the shop's intents too.</summary>
    public static TextClassifierOptions DefaultOptions { get; } = new() { EmbeddingWeight = 2f, NgramWeight = 1f, Seeds = 3 };

    /// <summary>Below this probability the top intent is not trusted and the text counts as out of scope.</summary>
    public const float DefaultThreshold = 0.3f;

    public TextClassifier Classifier { get; } = classifier;

    public float Threshold { get; } = threshold;

    public string OutOfScopeIntent { get; } = outOfScopeIntent;

    public IntentPrediction Predict(string text, float[] embedding)
    {
        var (intent, confidence) = Classifier.Predict(text, embedding);
        return new IntentPrediction(intent, confidence, intent == OutOfScopeIntent || confidence < Threshold);
    }
}
