namespace Marketing.Ml.Recommendations.Evaluation;

/// <summary>
/// Per-shopper ranking metrics with binary relevance, as Microsoft Recommenders' <c>python_evaluation</c> defines
/// them (its averages divide by every shopper ranked, hits or not). With one relevant item, as in leave-one-out,
/// <see cref="Recall"/> is the hit rate and <see cref="Ndcg"/> is 1/log2(rank + 1).
/// </summary>
public static class RankingMetrics
{
    /// <summary>Share of the top <paramref name="k"/> that is relevant.</summary>
    public static double Precision(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) => Hits(ranked, relevant, k) / (double)k;

    /// <summary>Share of the relevant items found in the top <paramref name="k"/>.</summary>
    public static double Recall(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) =>
        relevant.Count == 0 ? 0 : Hits(ranked, relevant, k) / (double)relevant.Count;

    /// <summary>1 when any relevant item is in the top <paramref name="k"/>.</summary>
    public static double HitRate(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k) => Hits(ranked, relevant, k) > 0 ? 1 : 0;

    /// <summary>DCG of the top <paramref name="k"/> over the DCG of an ideal list (every relevant item first).</summary>
    public static double Ndcg(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        var dcg = 0.0;
        var top = Math.Min(k, ranked.Length);
        for (var i = 0; i < top; i++)
        {
            if (relevant.Contains(ranked[i]))
            {
                dcg += 1 / Math.Log2(i + 2);
            }
        }

        var ideal = 0.0;
        for (var i = 0; i < Math.Min(k, relevant.Count); i++)
        {
            ideal += 1 / Math.Log2(i + 2);
        }

        return ideal == 0 ? 0 : dcg / ideal;
    }

    /// <summary>
    /// Microsoft Recommenders' MAP: the precision at each hit's rank within the top <paramref name="k"/>, summed and
    /// divided by the number of relevant items (not by min(k, relevant)), which is why its MAP figures are small.
    /// </summary>
    public static double AveragePrecision(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return 0;
        }

        var sum = 0.0;
        var hits = 0;
        var top = Math.Min(k, ranked.Length);
        for (var i = 0; i < top; i++)
        {
            if (relevant.Contains(ranked[i]))
            {
                hits++;
                sum += hits / (double)(i + 1);
            }
        }

        return sum / relevant.Count;
    }

    private static int Hits(ReadOnlySpan<int> ranked, IReadOnlySet<int> relevant, int k)
    {
        var hits = 0;
        var top = Math.Min(k, ranked.Length);
        for (var i = 0; i < top; i++)
        {
            if (relevant.Contains(ranked[i]))
            {
                hits++;
            }
        }

        return hits;
    }
}
