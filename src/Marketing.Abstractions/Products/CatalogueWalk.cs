using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Marketing.Abstractions.Products;

public static class CatalogueWalk
{
    /// <summary>
    /// Every SKU in the catalogue, a directory page at a time: categories in order, then each category's SKUs. Many
    /// short calls rather than one long one, so none meets the cluster's response timeout however large the catalogue.
    /// A product that changed category meanwhile may come twice.
    /// </summary>
    public static async IAsyncEnumerable<ImmutableArray<string>> SkuPagesAsync(
        this IGrainFactory grains, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        foreach (var category in await grains.GetGrain<ICatalogueGrain>(CatalogueKeys.All).Categories())
        {
            var directory = grains.GetGrain<ICategoryDirectoryGrain>(ProductRules.CategoryKey(category.Category));
            for (var offset = 0; ; offset += pageSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = await directory.List(offset, pageSize);
                yield return page.Skus;
                if (offset + pageSize >= page.Total)
                {
                    break;
                }
            }
        }
    }
}
