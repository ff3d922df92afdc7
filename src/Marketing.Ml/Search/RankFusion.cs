namespace Marketing.Ml.Search;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): a product's fused score is the sum over the rankings
/// that found it of weight / (<see cref="RankConstant"/> + rank). Only ranks count, so a cosine and a BM25 score need
/// no common scale, and a product found by one side alone keeps its place by that side's rank.
/// </summary>
public static class RankFusion
{
    /// <summary>The paper's constant: a first place is worth 1/61, a tenth 1/70, so no single list dominates.</summary>
    public const int RankConstant = 60;

    /// <summary>
    /// How many of each side's best a fusion for the best <paramref name="k"/> reads: 50 at least, so a product
    /// ranked well by one side and modestly by the other still meets both, and at most what a shard answers.
    /// </summary>
    public static int CandidatesFor(int k) => Math.Clamp(k, 50, ProductVectorIndex.MaxK);

    /// <summary>
    /// The <paramref name="k"/> best of the fused rankings, best first; ties go to the first ranking's order (search
    /// puts the words ranking first: when each side's first place is found by that side alone, the product holding the
    /// query's words wins), so the result is the same on every silo. Each ranking is best first, without repeats.
    /// </summary>
    public static IReadOnlyList<ProductMatch> Fuse(IReadOnlyList<IReadOnlyList<ProductMatch>> rankings, IReadOnlyList<float> weights, int k)
    {
        ArgumentNullException.ThrowIfNull(rankings);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (weights.Count != rankings.Count)
        {
            throw new ArgumentException($"{rankings.Count} rankings need as many weights; got {weights.Count}.", nameof(weights));
        }

        var fused = new Dictionary<string, (float Score, int FirstSeen)>(StringComparer.Ordinal);
        var seen = 0;
        for (var r = 0; r < rankings.Count; r++)
        {
            for (var rank = 0; rank < rankings[r].Count; rank++)
            {
                var sku = rankings[r][rank].Sku;
                var add = weights[r] / (RankConstant + rank + 1);
                fused[sku] = fused.TryGetValue(sku, out var sofar) ? (sofar.Score + add, sofar.FirstSeen) : (add, seen++);
            }
        }

        return [.. fused
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Value.FirstSeen)
            .Take(k)
            .Select(p => new ProductMatch(p.Key, p.Value.Score))];
    }

    /// <summary>
    /// How much the words ranking counts against the meaning ranking (weight 1): the best coverage any product reaches,
    /// <see cref="LexicalMatch.Coverage"/>. When some product holds every word of the query (a brand, "gluten free
    /// pasta", a SKU) both count alike; when no product holds more than a stray word of it ("my clothes are dirty"
    /// finds only products called "dirty"), the words ranking is noise and counts as little.
    /// </summary>
    public static float LexicalWeight(float bestCoverage) => Math.Clamp(bestCoverage, 0f, 1f);

    /// <summary>
    /// Merges shards' answers into one ranking, best score first (ties by SKU, as every silo orders them), at most
    /// <paramref name="k"/>.
    /// </summary>
    public static IReadOnlyList<ProductMatch> MergeShards(IEnumerable<IEnumerable<ProductMatch>> perShard, int k)
    {
        ArgumentNullException.ThrowIfNull(perShard);
        return [.. perShard.SelectMany(s => s)
            .OrderByDescending(m => m.Score)
            .ThenBy(m => m.Sku, StringComparer.Ordinal)
            .Take(k)];
    }
}
