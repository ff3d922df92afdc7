namespace Marketing.Ml.Support;

/// <summary>Accuracy and macro-averaged F1 of predicted labels against the true ones.</summary>
public sealed record ClassificationScore(int Count, double Accuracy, double MacroF1)
{
    public static ClassificationScore Of(IReadOnlyList<string> expected, IReadOnlyList<string> predicted)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(predicted);
        if (expected.Count != predicted.Count)
        {
            throw new ArgumentException("One prediction per example.", nameof(predicted));
        }

        if (expected.Count == 0)
        {
            return new ClassificationScore(0, 0, 0);
        }

        var correct = 0;
        var truePositives = new Dictionary<string, int>(StringComparer.Ordinal);
        var expectedCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var predictedCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < expected.Count; i++)
        {
            expectedCounts[expected[i]] = expectedCounts.GetValueOrDefault(expected[i]) + 1;
            predictedCounts[predicted[i]] = predictedCounts.GetValueOrDefault(predicted[i]) + 1;
            if (expected[i] == predicted[i])
            {
                correct++;
                truePositives[expected[i]] = truePositives.GetValueOrDefault(expected[i]) + 1;
            }
        }

        // Macro-F1 over the true classes: a class never predicted scores 0, one predicted but absent is not averaged in.
        var f1 = expectedCounts.Keys.Average(label =>
        {
            var tp = truePositives.GetValueOrDefault(label);
            var denominator = expectedCounts[label] + predictedCounts.GetValueOrDefault(label);
            return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
        });
        return new ClassificationScore(expected.Count, (double)correct / expected.Count, f1);
    }
}
