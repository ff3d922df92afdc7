using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// Product records (title, category, stock, attributes) as recommendations filter and explain them, kept per silo for
/// <see cref="RecommendationOptions.ProductCacheTime"/>: a list names a few dozen candidates, and asking each product
/// grain every time would cost more than the rest of the request. A product that goes out of stock may still be
/// offered by another silo until its entry expires.
/// </summary>
public sealed class ProductFacts : IDisposable
{
    private readonly MemoryCache? _cache;
    private readonly TimeSpan _keep;

    public ProductFacts(IOptions<RecommendationOptions> options)
    {
        _keep = options.Value.ProductCacheTime;
        if (options.Value.ProductCacheEntries > 0 && _keep > TimeSpan.Zero)
        {
            _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.ProductCacheEntries });
        }
    }

    /// <summary>The records of <paramref name="skus"/> in order; null for a product that does not exist.</summary>
    public async Task<Product?[]> GetAsync(IGrainFactory grains, IReadOnlyList<string> skus)
    {
        var products = new Product?[skus.Count];
        List<int>? missed = null;
        for (var i = 0; i < skus.Count; i++)
        {
            if (_cache is not null && _cache.TryGetValue(skus[i], out Entry? entry))
            {
                products[i] = entry!.Product;
            }
            else
            {
                (missed ??= []).Add(i);
            }
        }

        if (missed is null)
        {
            return products;
        }

        var fetched = await Task.WhenAll(missed.Select(i => grains.Ref<IProductGrain>(skus[i]).Get()));
        for (var j = 0; j < missed.Count; j++)
        {
            products[missed[j]] = fetched[j];
            _cache?.Set(skus[missed[j]], new Entry(fetched[j]), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _keep });
        }

        return products;
    }

    public async Task<Product?> GetAsync(IGrainFactory grains, string sku) => (await GetAsync(grains, [sku]))[0];

    public void Dispose() => _cache?.Dispose();

    private sealed record Entry(Product? Product);
}
