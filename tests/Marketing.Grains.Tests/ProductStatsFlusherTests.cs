using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ProductStatsFlusherTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Products_get_their_counts_a_few_calls_at_a_time_so_their_activations_do_not_crowd_out_intake()
    {
        var skus = Enumerable.Range(0, 12).Select(i => $"slow-{i}-{Guid.NewGuid():N}").ToArray();
        var products = skus.Select(sku => fixture.Grains.GetGrain<IProductGrain>(sku)).ToArray();
        var counters = skus.Select(sku => fixture.Grains.GetGrain<IProductCountersGrain>(sku));
        using var slow = SlowCalls.Make(nameof(IProductStatsSink.AddInteractions), TimeSpan.FromMilliseconds(100), counters);
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(Guid.NewGuid().ToString("N"));

        await shopper.Track([.. skus.Select((sku, i) => ClusterFixture.View($"v{i}", sku))], EventSource.Live);

        var counted = new long[skus.Length];
        for (var round = 0; round < 100 && counted.Any(c => c != 1); round++)
        {
            await Task.Delay(100);
            for (var i = 0; i < products.Length; i++)
            {
                counted[i] = await products[i].GetStats(1) is [var today, ..] ? today.Views : 0;
            }
        }

        // Every count arrives, and never more than Events:ProductStatsConcurrentCalls (2) calls were held at once.
        Assert.All(counted, c => Assert.Equal(1, c));
        Assert.InRange(slow.MostInFlight, 1, 2);
    }
}
