namespace Marketing.Ml.Embeddings;

/// <summary>
/// How the batcher cuts texts sorted by token length into inference runs: each run pays its padded token slots (its
/// size × its longest text) plus <see cref="RunOverheadTokens"/> for being a run of its own. Padding is compute spent
/// on nothing; too many small runs spend it on per-run overhead instead.
/// </summary>
internal static class LengthGrouping
{
    /// <summary>Rough fixed cost of one more inference run, in padded token slots (measured on 2 cores).</summary>
    public const int RunOverheadTokens = 32;

    /// <summary>
    /// The run ends (exclusive) that cover texts of the given lengths, sorted ascending, at the least cost, by dynamic
    /// programming over the cut points: cost(i..j) = <see cref="RunOverheadTokens"/> + (j − i) × length(j − 1), at most
    /// <paramref name="maxBatchSize"/> texts a run.
    /// </summary>
    public static int[] CheapestCuts(IReadOnlyList<int> sortedLengths, int maxBatchSize)
    {
        var count = sortedLengths.Count;
        var best = new long[count + 1];
        var cut = new int[count + 1];
        for (var j = 1; j <= count; j++)
        {
            var width = sortedLengths[j - 1];
            best[j] = long.MaxValue;
            for (var i = Math.Max(0, j - maxBatchSize); i < j; i++)
            {
                var cost = best[i] + RunOverheadTokens + ((long)(j - i) * width);
                if (cost < best[j])
                {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }

        var groups = 0;
        for (var j = count; j > 0; j = cut[j])
        {
            groups++;
        }

        var ends = new int[groups];
        for (var j = count; j > 0; j = cut[j])
        {
            ends[--groups] = j;
        }

        return ends;
    }
}
