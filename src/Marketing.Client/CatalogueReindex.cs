using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;

namespace Marketing.Client;

public static class CatalogueReindex
{
    private const int Page = 500;

    /// <summary>
    /// Walks the whole catalogue (categories, then their SKUs) and asks each product to embed itself if it has no
    /// embedding and to put itself in its index shard again. Many short calls rather than one long one, so no call
    /// meets the cluster's response timeout however large the catalogue. <paramref name="progress"/> hears the number
    /// of products done after each page; <paramref name="concurrency"/> products are done at once.
    /// </summary>
    /// <returns>Products put back, and how many the shards hold afterwards.</returns>
    public static async Task<(int Reindexed, int Indexed)> ReindexCatalogueAsync(
        this IGrainFactory grains, int concurrency = 32, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        var categories = await grains.GetGrain<ICatalogueGrain>(CatalogueKeys.All).Categories();
        var reindexed = 0;
        foreach (var category in categories)
        {
            var directory = grains.GetGrain<ICategoryDirectoryGrain>(ProductRules.CategoryKey(category.Category));
            for (var offset = 0; ; offset += Page)
            {
                var page = await directory.List(offset, Page);
                await Parallel.ForEachAsync(
                    page.Skus,
                    new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                    async (sku, _) =>
                    {
                        if (await grains.GetGrain<IProductEmbedding>(sku).Reindex())
                        {
                            Interlocked.Increment(ref reindexed);
                        }
                    });
                progress?.Report(reindexed);
                if (offset + Page >= page.Total)
                {
                    break;
                }
            }
        }

        return (reindexed, await grains.GetGrain<IProductSearchGrain>(0).IndexedCount());
    }
}
