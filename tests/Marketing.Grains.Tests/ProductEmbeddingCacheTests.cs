using System.Diagnostics.Metrics;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Products;
using Marketing.Grains.Search;
using Marketing.Grains.Shoppers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Tests;

/// <summary>What a silo's interest folds get for a product: its grain's embedding, then the same until it expires.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ProductEmbeddingCacheTests(ClusterFixture fixture) : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Clock _clock = new();

    [Fact]
    public async Task A_product_is_asked_once_and_its_new_text_is_folded_once_the_entry_expires()
    {
        var sku = $"cache-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        await product.Upsert(new ProductInput { Title = "Frozen pepperoni pizza", Category = "frozen pizza" });
        using var cache = NewCache(entries: 100, keep: TimeSpan.FromMinutes(5));

        var pizza = (await cache.GetAsync(fixture.Grains, [sku]))[0];
        await product.Upsert(new ProductInput { Title = "Dry shampoo for oily hair", Category = "hair care" });
        var shampoo = (await fixture.Grains.Ref<IProductEmbedding>(sku).GetTextEmbedding())?.Vector;
        var beforeExpiry = (await cache.GetAsync(fixture.Grains, [sku]))[0];
        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var afterExpiry = (await cache.GetAsync(fixture.Grains, [sku]))[0];

        Assert.NotNull(pizza);
        Assert.NotNull(shampoo);
        Assert.NotEqual(pizza, shampoo);
        Assert.Same(pizza, beforeExpiry);
        Assert.Equal(shampoo, afterExpiry);
    }

    [Fact]
    public async Task A_product_without_an_embedding_is_asked_again_after_30_seconds_and_forgetting_asks_at_once()
    {
        var sku = $"cache-{Guid.NewGuid():N}";
        using var cache = NewCache(entries: 100, keep: TimeSpan.FromMinutes(5));

        Assert.Null((await cache.GetAsync(fixture.Grains, [sku]))[0]);
        await fixture.Grains.GetGrain<IProductGrain>(sku).Upsert(new ProductInput { Title = "Organic bananas", Category = "fresh fruits" });
        Assert.Null((await cache.GetAsync(fixture.Grains, [sku]))[0]);
        _clock.Advance(TimeSpan.FromSeconds(31));
        var bananas = (await cache.GetAsync(fixture.Grains, [sku]))[0];

        await fixture.Grains.GetGrain<IProductGrain>(sku).Upsert(new ProductInput { Title = "Whole milk", Category = "milk" });
        cache.Forget(sku);
        var milk = (await cache.GetAsync(fixture.Grains, [sku]))[0];

        Assert.NotNull(bananas);
        Assert.NotNull(milk);
        Assert.NotEqual(bananas, milk);
    }

    [Fact]
    public async Task With_no_entries_every_lookup_goes_to_the_product()
    {
        var sku = $"cache-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        await product.Upsert(new ProductInput { Title = "Sparkling water", Category = "water seltzer sparkling water" });
        using var cache = NewCache(entries: 0, keep: TimeSpan.FromMinutes(5));

        var water = (await cache.GetAsync(fixture.Grains, [sku, sku]))[0];
        await product.Upsert(new ProductInput { Title = "Cat litter", Category = "cat food care" });
        var litter = (await cache.GetAsync(fixture.Grains, [sku]))[0];

        Assert.NotNull(water);
        Assert.NotEqual(water, litter);
    }

    public void Dispose() => _services.Dispose();

    private ProductEmbeddingCache NewCache(int entries, TimeSpan keep) => new(
        Options.Create(new InterestOptions { ProductCacheEntries = entries, ProductCacheTime = keep }),
        _clock,
        _services.GetRequiredService<IMeterFactory>(),
        fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.Silos[0].SiloAddress).GetRequiredService<CurrentEmbeddingModel>());

    private sealed class Clock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
