using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Products;
using Marketing.Grains.Shoppers;
using Orleans.Storage;
using static Marketing.Grains.Tests.ClusterFixture;
using static Marketing.Grains.Tests.Eventually;

namespace Marketing.Grains.Tests;

/// <summary>
/// When a silo dies, Orleans deactivates every activation whose directory entry it held, thousands at once. Those
/// grains must not all write then (their writes would queue at storage while calls for them wait), and must lose nothing.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DirectoryLossTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_shopper_that_loses_its_directory_entry_passes_its_events_on_without_writing()
    {
        var key = Guid.NewGuid().ToString("N");
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        var deactivated = DirectoryLoss.Strike(shopper);
        using (var refusal = FailingWrites.Refuse(shopper))
        {
            await shopper.Track([View("d1", "a"), Purchase("d2", "o1", ("a", 1, 4m))], EventSource.Live);
            await deactivated.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, refusal.Refused);
        }

        // The next activation holds them: at once on the same silo, within the delivery delay on the other.
        var view = await WaitForAsync(() => shopper.Get(), v => v.EventCount == 2);
        Assert.Equal((2, 4m), (view.EventCount, view.Value.Monetary));

        // And they reach storage: after a normal deactivation the next activation reads them back.
        await fixture.Cluster.DeactivateAsync(shopper);
        Assert.Equal(2, (await shopper.Get()).EventCount);
    }

    [Fact]
    public async Task Tail_events_that_reach_a_shopper_through_a_hand_off_are_stored_before_the_recovery_call_returns()
    {
        var key = Guid.NewGuid().ToString("N");
        Planted.Plant(key, new LoggedEvent(key, 1, DateTimeOffset.UtcNow, EventSource.Live, false, Purchase("h1", "o1", ("a", 1, 6m))));
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(key);
        var deactivated = DirectoryLoss.Strike(shopper);
        Assert.Equal(6m, (await shopper.Get()).Value.Monetary);
        await deactivated.WaitAsync(TimeSpan.FromSeconds(10));

        // From here the tail's record reaches the shopper only through the hand-off.
        Planted.Plant(key);
        Assert.Equal(6m, (await WaitForAsync(() => shopper.Get(), v => v.Value.Monetary == 6m)).Value.Monetary);

        // The recovery service retires the tail once this call returns: the record must be stored by then.
        await fixture.Grains.GetGrain<IShopperRecoveryGrain>(key).Recover();
        var stored = new GrainState<ShopperState>(new ShopperState());
        await Storage.ReadStateAsync("shopper", shopper.GetGrainId(), stored);
        Assert.Equal(1, stored.State!.EventCount);
    }

    [Fact]
    public async Task A_product_that_loses_its_directory_entry_passes_its_counts_on_without_writing()
    {
        var sku = $"lost-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        var counters = fixture.Grains.GetGrain<IProductCountersGrain>(sku);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deactivated = DirectoryLoss.Strike(counters);
        using (var refusal = FailingWrites.Refuse(counters))
        {
            await counters.AddInteractions([new DailyProductStats(today, 3, 1, 0, 0, 0)]);
            await deactivated.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, refusal.Refused);
        }

        // The silo's tally hands them to the next activation with its next counts.
        var stats = await WaitForAsync(() => product.GetStats(1), s => s.Sum(d => d.Views) == 3);
        Assert.Equal([new DailyProductStats(today, 3, 1, 0, 0, 0)], stats.ToArray());

        await fixture.Grains.GetGrain<IWriteBehindGrain>(counters.GetGrainId()).FlushWriteBehind();
        var stored = new GrainState<ProductCounters>(new ProductCounters());
        await Storage.ReadStateAsync("counters", counters.GetGrainId(), stored);
        Assert.Equal([new DailyProductStats(today, 3, 1, 0, 0, 0)], stored.State!.Daily);
    }

    [Fact]
    public async Task Counts_a_product_could_not_take_are_handed_to_it_once_it_answers_again()
    {
        var sku = $"unreachable-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(Guid.NewGuid().ToString("N"));
        using (Unreachable.Make(fixture.Grains.GetGrain<IProductCountersGrain>(sku)))
        {
            await shopper.Track([View("u1", sku), View("u2", sku)], EventSource.Live);

            // Several hand-over rounds (every 0.5 s here) fail while the product cannot be reached.
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        var stats = await WaitForAsync(() => product.GetStats(1), s => s.Sum(d => d.Views) == 2);
        Assert.Equal(2, stats.Sum(d => d.Views));
    }

    private IGrainStorage Storage => fixture.GrainStorage;

}
