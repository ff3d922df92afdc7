using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Recommendations.Models;

/// <summary>
/// A trained model a silo serves from: one shopper's history in, a score for every catalogue item out. It holds no
/// per-shopper state, so one instance serves every request concurrently and is swapped whole when a new version is
/// trained.
/// </summary>
public interface IRecommender
{
    string Name { get; }

    /// <summary>Items in the catalogue the model was trained on; <see cref="Score"/> fills that many scores.</summary>
    int ItemCount { get; }

    /// <summary>Scores every item for a shopper whose items are <paramref name="history"/>, oldest first.</summary>
    void Score(ReadOnlySpan<int> history, Span<float> scores);
}

/// <summary>Trains one kind of <see cref="IRecommender"/>; reports progress in [0, 1] and stops when cancelled.</summary>
public interface IRecommenderTrainer
{
    string Name { get; }

    IRecommender Train(TrainingSet data, IProgress<double>? progress = null, CancellationToken cancellationToken = default);
}

public static class RecommenderExtensions
{
    /// <summary>The <paramref name="k"/> best items for a history, best first, never one of <paramref name="excluded"/>.</summary>
    public static int[] Recommend(this IRecommender model, ReadOnlySpan<int> history, int k, ReadOnlySpan<int> excluded)
    {
        var scores = new float[model.ItemCount];
        model.Score(history, scores);
        return TopItems(scores, k, excluded);
    }

    /// <summary>The top <paramref name="k"/> of a score span (ties to the lower index); the span's excluded entries are overwritten.</summary>
    public static int[] TopItems(Span<float> scores, int k, ReadOnlySpan<int> excluded)
    {
        foreach (var item in excluded)
        {
            if ((uint)item < (uint)scores.Length)
            {
                scores[item] = float.NegativeInfinity;
            }
        }

        var top = new Search.TopK(Math.Max(1, Math.Min(k, scores.Length)));
        for (var i = 0; i < scores.Length; i++)
        {
            if (scores[i] > top.Threshold && !float.IsNegativeInfinity(scores[i]))
            {
                top.Offer(scores[i], i);
            }
        }

        return [.. top.Sorted().Select(e => e.Row)];
    }
}
