using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;

namespace Marketing.Grains.Search;

/// <summary>
/// After a crash a shard's snapshot may lack the last changes, or hold products removed since. The repair walks the
/// catalogue's category directories, takes the current entry of every product of the shard, and drops what no product
/// backs. Searches and updates go on meanwhile (the shard is reentrant); a product updated during the walk keeps its
/// newer entry.
/// </summary>
internal static class ShardRepair
{
    /// <summary>SKUs a repair reads from the category directories at a time.</summary>
    private const int Page = 500;

    /// <summary>
    /// Products a repair asks at once. Each call may activate a product, which reads its state: every shard of a
    /// crashed silo repairs at the same time, and hundreds of reads at once would crowd out the intake.
    /// </summary>
    private const int ConcurrentCalls = 4;

    /// <summary>
    /// Repairs shard <paramref name="shard"/> of <paramref name="shards"/>: <paramref name="changed"/> tells the shard an
    /// entry changed (so a snapshot is due); SKUs in <paramref name="changedMeanwhile"/>, updated through the shard's own
    /// calls since the repair began, are left as they are. Returns the products taken again and those removed.
    /// </summary>
    public static async Task<(int Restored, int Removed)> RunAsync(
        IGrainFactory grains,
        int shard,
        int shards,
        ProductVectorsByModel vectors,
        ShardTexts texts,
        IReadOnlySet<string> changedMeanwhile,
        Action<string> changed,
        CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var (restored, removed) = (0, 0);
        await foreach (var skus in grains.SkuPagesAsync(Page, cancellationToken))
        {
            await TakeAgainAsync([.. skus.Where(sku => SearchShards.Of(sku, shards) == shard && seen.Add(sku))]);
        }

        // What the snapshot holds that no directory lists was removed before the crash, or its listing was lost:
        // its product decides.
        var unlisted = new List<string>();
        vectors.ForEach((_, sku) =>
        {
            if (!seen.Contains(sku))
            {
                unlisted.Add(sku);
            }
        });
        foreach (var chunk in unlisted.Chunk(Page))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await TakeAgainAsync(chunk);
        }

        return (restored, removed);

        async Task TakeAgainAsync(string[] skus)
        {
            var entries = new List<IndexedProduct?>(skus.Length);
            foreach (var chunk in skus.Chunk(ConcurrentCalls))
            {
                entries.AddRange(await Task.WhenAll(chunk.Select(sku => grains.GetGrain<IProductEmbedding>(sku).GetIndexEntry())));
            }

            for (var i = 0; i < skus.Length; i++)
            {
                if (changedMeanwhile.Contains(skus[i]))
                {
                    continue;
                }

                if (entries[i] is { } entry && SearchShards.Of(entry.Sku, shards) == shard && vectors.Upsert(entry))
                {
                    texts.Upsert(entry);
                    changed(entry.Sku);
                    restored++;
                }
                else if (vectors.Remove(skus[i]) | texts.Remove(skus[i]))
                {
                    changed(skus[i]);
                    removed++;
                }
            }
        }
    }
}
