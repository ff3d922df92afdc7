using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;

namespace Marketing.Client;

public static class CatalogueReindex
{
    private const int Page = 500;

    /// <summary>
    /// Walks the whole catalogue (<see cref="CatalogueWalk.SkuPagesAsync"/>) and asks each product to embed itself if
    /// it has no embedding the encoder's model made (none yet, or one of an earlier model), and to put itself in its
    /// index shard again. <paramref name="progress"/> hears the number of
    /// products done after each page; <paramref name="concurrency"/> products are done at once.
    /// </summary>
    /// <returns>Products put back, and how many the shards hold afterwards.</returns>
    public static async Task<(int Reindexed, int Indexed)> ReindexCatalogueAsync(
        this IGrainFactory grains, int concurrency = 32, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        var reindexed = 0;
        await foreach (var skus in grains.SkuPagesAsync(Page, cancellationToken))
        {
            await Parallel.ForEachAsync(
                skus,
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (sku, _) =>
                {
                    if (await grains.GetGrain<IProductEmbedding>(sku).Reindex())
                    {
                        Interlocked.Increment(ref reindexed);
                    }
                });
            progress?.Report(reindexed);
        }

        return (reindexed, await grains.GetGrain<IProductSearchGrain>(0).IndexedCount());
    }
}
