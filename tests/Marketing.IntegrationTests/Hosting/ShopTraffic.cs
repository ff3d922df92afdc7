using System.Collections.Concurrent;
using System.Collections.Immutable;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Client;

namespace Marketing.IntegrationTests.Hosting;

/// <summary>Shoppers and products a test writes through the client, and the checks that they all came back.</summary>
public sealed class ShopTraffic(MarketingClient client, string prefix, int shoppers, int products)
{
    /// <summary>How many events each shopper's grain acknowledged (accepted once; a resend counts as its original).</summary>
    public ConcurrentDictionary<string, int> Acknowledged { get; } = new();

    /// <summary>The ids of the events a grain acknowledged (as accepted or as a resend).</summary>
    public ConcurrentDictionary<string, bool> AcknowledgedEventIds { get; } = new();

    public IEnumerable<string> UserIds => Enumerable.Range(0, shoppers).Select(i => $"{prefix}-user-{i}");

    public IEnumerable<string> Skus => Enumerable.Range(0, products).Select(i => $"{prefix}-sku-{i}");

    public Task UpsertProductsAsync() => ForEach(Skus, sku => client.Grains.GetGrain<IProductGrain>(sku).Upsert(Product(sku)));

    /// <summary>
    /// Sends events <paramref name="from"/>..<paramref name="to"/> (exclusive) to every shopper, one awaited Track per
    /// event, through <paramref name="call"/> (a retry policy, or none).
    /// </summary>
    public Task TrackAsync(int from, int to, Func<Func<Task<TrackResult>>, Task<TrackResult>>? call = null) =>
        ForEach(UserIds, async userId =>
        {
            var grain = client.Grains.GetShopper(client.Pseudonym, userId);
            for (var n = from; n < to; n++)
            {
                var e = new ShopperEvent
                {
                    EventId = $"{userId}-event-{n}",
                    Type = ShopperEventType.View,
                    Timestamp = DateTimeOffset.UtcNow,
                    Sku = $"{prefix}-sku-{n % products}",
                };
                var track = () => grain.Track([e], EventSource.Import);
                var result = await (call is null ? track() : call(track));
                Acknowledged.AddOrUpdate(userId, result.Accepted + result.Duplicates, (_, count) => count + result.Accepted + result.Duplicates);
                if (result.Accepted + result.Duplicates > 0)
                {
                    AcknowledgedEventIds[e.EventId] = true;
                }
            }
        });

    /// <summary>Every shopper's EventCount as the grains report it now.</summary>
    public async Task<Dictionary<string, long>> EventCountsAsync(Func<Func<Task<long>>, Task<long>> call)
    {
        var counts = new ConcurrentDictionary<string, long>();
        await ForEach(UserIds, async userId =>
            counts[userId] = await call(async () => (await client.Grains.GetShopper(client.Pseudonym, userId).Get()).EventCount));
        return new(counts);
    }

    /// <summary>The SKUs whose product is missing or not as written.</summary>
    public async Task<List<string>> MissingProductsAsync(Func<Func<Task<Product?>>, Task<Product?>> call)
    {
        var missing = new ConcurrentBag<string>();
        await ForEach(Skus, async sku =>
        {
            var product = await call(() => client.Grains.GetGrain<IProductGrain>(sku).Get());
            if (product is null || product.Title != Product(sku).Title)
            {
                missing.Add(sku);
            }
        });
        return [.. missing.Order()];
    }

    /// <summary>The product every test writes under <paramref name="sku"/>.</summary>
    public static ProductInput Product(string sku) => new()
    {
        Title = $"Organic bananas {sku}",
        Category = "produce",
        Price = 1.25m,
        Stock = 40,
        Attributes = ImmutableDictionary<string, string>.Empty.Add("aisle", "fresh fruits"),
    };

    private static Task ForEach(IEnumerable<string> keys, Func<string, Task> body) =>
        Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (key, _) => await body(key));
}
