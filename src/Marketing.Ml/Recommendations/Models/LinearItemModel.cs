using System.Numerics.Tensors;

namespace Marketing.Ml.Recommendations.Models;

/// <summary>
/// A dense item × item weight matrix B: a shopper's scores are xB, x their history weighted by recency. EASE and the
/// sequential model both train into this form, so serving either is one row sum per history item.
/// </summary>
public sealed class LinearItemModel(string name, float[] weights, int itemCount, float historyDecay) : IRecommender
{
    public string Name { get; } = name;

    public int ItemCount { get; } = itemCount;

    /// <summary>Memory held by the weights (n² floats).</summary>
    public long Bytes => weights.LongLength * sizeof(float);

    public void Score(ReadOnlySpan<int> history, Span<float> scores)
    {
        scores[..ItemCount].Clear();
        var recency = RecencyWeights.For(history.Length, historyDecay);
        for (var i = 0; i < history.Length; i++)
        {
            var row = weights.AsSpan((int)((long)history[i] * ItemCount), ItemCount);
            TensorPrimitives.MultiplyAdd(row, recency[i], scores[..ItemCount], scores[..ItemCount]);
        }
    }
}
