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

        var fused = new Dictionary<string, (float Score, int FirstSeen, string? Category)>(StringComparer.Ordinal);
        var seen = 0;
        for (var r = 0; r < rankings.Count; r++)
        {
            for (var rank = 0; rank < rankings[r].Count; rank++)
            {
                var match = rankings[r][rank];
                var add = weights[r] / (RankConstant + rank + 1);
                fused[match.Sku] = fused.TryGetValue(match.Sku, out var sofar)
                    ? (sofar.Score + add, sofar.FirstSeen, sofar.Category ?? match.Category)
                    : (add, seen++, match.Category);
            }
        }

        return [.. fused
            .OrderByDescending(p => p.Value.Score)
            .ThenBy(p => p.Value.FirstSeen)
            .Take(k)
            .Select(p => new ProductMatch(p.Key, p.Value.Score, p.Value.Category))];
    }

    /// <summary>
    /// How much the words ranking counts against the meaning ranking (weight 1): the best coverage any product reaches,
    /// <see cref="LexicalMatch.Coverage"/>. When some product holds every word of the query (a brand, "gluten free
    /// pasta", a SKU) both count alike; when no product holds more than a stray word of it ("my clothes are dirty"
    /// finds only products called "dirty"), the words ranking is noise and counts as little.
    /// </summary>
    public static float LexicalWeight(float bestCoverage) => Math.Clamp(bestCoverage, 0f, 1f);

    /// <summary>
    /// The hybrid ranking: the words ranking and the meaning ranking (each best first, <see cref="CandidatesFor"/>
    /// deep) fused by reciprocal rank with the words weighed by <see cref="LexicalWeight"/>, then re-ranked by
    /// <see cref="ByCategoryConsensus"/>; the best <paramref name="k"/>. The words go first, so a tie between the two
    /// sides' first places goes to the product holding the query's words.
    /// </summary>
    public static IReadOnlyList<ProductMatch> Hybrid(IReadOnlyList<ProductMatch> words, float bestCoverage, IReadOnlyList<ProductMatch> meaning, int k) =>
        ByCategoryConsensus(Fuse([words, meaning], [LexicalWeight(bestCoverage), 1f], Math.Max(k, words.Count + meaning.Count)), k);

    /// <summary>
    /// Re-ranks fused candidates by how much of the fused score their category gathers: each product's score is
    /// multiplied by 1 + its category's share of the candidates' total. A query about a need ("bread for burgers")
    /// draws most candidates from the few aisles that answer it, and a stray product of an unrelated aisle that one
    /// side ranked high drops below them. The best <paramref name="k"/>, best first; ties keep the fused order.
    /// </summary>
    public static IReadOnlyList<ProductMatch> ByCategoryConsensus(IReadOnlyList<ProductMatch> candidates, int k)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);

        // A match whose category is unknown is a category of its own.
        string categoryOf(ProductMatch m) => m.Category ?? "sku:" + m.Sku;
        var total = candidates.Sum(c => c.Score);
        if (total <= 0)
        {
            return [.. candidates.Take(k)];
        }

        var share = candidates.GroupBy(categoryOf, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Score) / total, StringComparer.Ordinal);
        return [.. candidates
            .Select((c, i) => (Match: c with { Score = c.Score * (1 + share[categoryOf(c)]) }, Order: i))
            .OrderByDescending(c => c.Match.Score)
            .ThenBy(c => c.Order)
            .Take(k)
            .Select(c => c.Match)];
    }

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
