namespace Marketing.Grains.Recommendations.Sources;

/// <summary>Merges per-seed neighbour lists: each neighbour keeps its best seed-weighted score and that seed as its reason.</summary>
internal static class SeededNeighbours
{
    /// <summary>Seeds asked per request: the strongest few say most and keep the work bounded.</summary>
    public const int MaxSeeds = 8;

    public static IReadOnlyList<Candidate> Merge(
        IReadOnlyList<Seed> seeds, int count, ReasonKind reason, Func<string, int, List<(string Sku, float Score)>> neighbours)
    {
        var best = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var seedSkus = seeds.Select(s => s.Sku).ToHashSet(StringComparer.Ordinal);
        foreach (var seed in seeds.Take(MaxSeeds))
        {
            foreach (var (sku, score) in neighbours(seed.Sku, count))
            {
                var weighted = score * seed.Weight;
                if (!seedSkus.Contains(sku) && (!best.TryGetValue(sku, out var known) || known.Score < weighted))
                {
                    best[sku] = new Candidate(sku, weighted, reason, seed.Sku);
                }
            }
        }

        return [.. best.Values.OrderByDescending(c => c.Score).ThenBy(c => c.Sku, StringComparer.Ordinal).Take(count)];
    }
}
