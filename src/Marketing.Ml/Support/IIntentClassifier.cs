namespace Marketing.Ml.Support;

/// <summary>What a shopper's message asks for. <see cref="OutOfScope"/> means: do not act on <see cref="Intent"/>.</summary>
public sealed record IntentPrediction(string Intent, float Confidence, bool OutOfScope);

/// <summary>Recognises the intent of a support message (what the conversation grain calls each turn).</summary>
public interface IIntentClassifier
{
    Task<IntentPrediction> ClassifyAsync(string text, CancellationToken cancellationToken = default);
}
