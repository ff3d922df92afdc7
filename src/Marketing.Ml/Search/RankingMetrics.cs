namespace Marketing.Ml.Search;

/// <summary>Quality of one ranked answer judged by binary relevance (a hit answers the query or it does not).</summary>
public static class RankingMetrics
{
    /// <summary>Share of the first <paramref name="k"/> places holding a relevant hit; an empty place counts as a miss.</summary>
    public static double PrecisionAt(IReadOnlyList<bool> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return relevant.Take(k).Count(r => r) / (double)k;
    }

    /// <summary>
    /// Normalised discounted cumulative gain at <paramref name="k"/>: relevant hits near the top count more
    /// (1 / log2(rank + 1)), divided by the gain of k relevant hits, since every judged aisle holds more than k products.
    /// </summary>
    public static double NdcgAt(IReadOnlyList<bool> relevant, int k)
    {
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        double gain = 0, ideal = 0;
        for (var i = 0; i < k; i++)
        {
            var discount = 1 / Math.Log2(i + 2);
            ideal += discount;
            if (i < relevant.Count && relevant[i])
            {
                gain += discount;
            }
        }

        return gain / ideal;
    }
}
