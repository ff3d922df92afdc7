namespace Marketing.Ml.Recommendations.Models;

/// <summary>
/// How much each item of a history counts: exp(−age / decay), age 0 for the latest; decay ≤ 0 weighs them all 1.
/// Used both to build a model's training rows and to read a shopper's history when scoring.
/// </summary>
internal static class RecencyWeights
{
    public static float[] For(int length, float decay)
    {
        var weights = new float[length];
        for (var i = 0; i < length; i++)
        {
            weights[i] = decay <= 0 ? 1f : MathF.Exp(-(length - 1 - i) / decay);
        }

        return weights;
    }
}
