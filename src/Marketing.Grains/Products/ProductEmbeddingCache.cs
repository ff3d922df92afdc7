using System.Diagnostics.Metrics;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Grains.Search;
using Marketing.Grains.Shoppers;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Products;

/// <summary>
/// Product text embeddings as shoppers' interest folds read them, kept per silo for
/// <see cref="InterestOptions.ProductCacheTime"/> (a product with no embedding yet for at most 30 s). Every shopper write
/// folds the products touched since the last one, so without it the folds made more grain calls than intake itself
/// (6.6 product lookups per intake call in the benchmark), and after a silo died they all waited on its products. A product whose
/// text changes forgets its entry on its own silo at once; other silos' folds may use the old vector until it expires,
/// which an interest that is a decaying average of many products can bear. It hands out only vectors of the silo's
/// encoder model (<see cref="Model"/>): a product whose vector another model made counts as not embedded yet, so an
/// interest never sums vectors of two models.
/// </summary>
public sealed class ProductEmbeddingCache : IDisposable
{
    public const string MeterName = "Marketing.Grains";

    private static readonly TimeSpan LongestKeptMissing = TimeSpan.FromSeconds(30);

    private readonly MemoryCache? _cache;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keep;
    private readonly TimeSpan _keepMissing;
    private readonly Counter<long> _lookups;

    public ProductEmbeddingCache(IOptions<InterestOptions> options, TimeProvider time, IMeterFactory meters, CurrentEmbeddingModel model)
    {
        Model = model.Id;
        var settings = options.Value;
        _time = time;
        _keep = settings.ProductCacheTime;
        _keepMissing = _keep < LongestKeptMissing ? _keep : LongestKeptMissing;
        if (settings.ProductCacheEntries > 0)
        {
            _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = settings.ProductCacheEntries });
        }

        _lookups = meters.Create(MeterName).CreateCounter<long>(
            "marketing.interest.product_lookups", "{lookup}", "Product embeddings read by shoppers' interest folds, by where they came from (cache or grain).");
    }

    /// <summary>The model whose vectors this cache hands out: the silo's encoder's.</summary>
    public EmbeddingModelId Model { get; }

    /// <summary>
    /// The embeddings of <paramref name="skus"/> made by <see cref="Model"/>, in order: from the cache where it holds them, the rest from their
    /// product grains at once. The returned vectors are shared; callers only read them.
    /// </summary>
    public async Task<float[]?[]> GetAsync(IGrainFactory grains, IReadOnlyList<string> skus)
    {
        var vectors = new float[]?[skus.Count];
        List<int>? missed = null;
        var now = _time.GetUtcNow();
        for (var i = 0; i < skus.Count; i++)
        {
            if (_cache is not null && _cache.TryGetValue(skus[i], out Entry? entry) && entry!.ExpiresAt > now)
            {
                vectors[i] = entry.Vector;
            }
            else
            {
                (missed ??= []).Add(i);
            }
        }

        _lookups.Add(skus.Count - (missed?.Count ?? 0), new KeyValuePair<string, object?>("source", "cache"));
        if (missed is null)
        {
            return vectors;
        }

        _lookups.Add(missed.Count, new KeyValuePair<string, object?>("source", "grain"));
        var fetched = await Task.WhenAll(missed.Select(i => grains.Ref<IProductEmbedding>(skus[i]).GetTextEmbedding()));
        now = _time.GetUtcNow();
        for (var j = 0; j < missed.Count; j++)
        {
            var (sku, vector) = (skus[missed[j]], fetched[j] is { } embedding && embedding.Model.Equals(Model) ? embedding.Vector : null);
            vectors[missed[j]] = vector;
            if (_cache is not null)
            {
                var keep = vector is null ? _keepMissing : _keep;
                _cache.Set(sku, new Entry(vector, now + keep), new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = keep });
            }
        }

        return vectors;
    }

    /// <summary>Drops what this silo holds for a product whose text or embedding just changed.</summary>
    public void Forget(string sku) => _cache?.Remove(sku);

    public void Dispose() => _cache?.Dispose();

    private sealed record Entry(float[]? Vector, DateTimeOffset ExpiresAt);
}
