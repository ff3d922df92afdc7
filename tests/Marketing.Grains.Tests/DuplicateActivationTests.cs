using System.Collections.Immutable;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Products;
using Marketing.Grains.Shoppers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests;

/// <summary>
/// While silos join or leave, Orleans can briefly run two activations of one shopper. Each acknowledges events (the
/// log has them all), so when one finds that the other wrote the shopper's state first, it must add its events to
/// that state rather than lose them, or take its own over the other's. The other activation is played here by
/// writing the stored state directly, with a new ETag.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DuplicateActivationTests(ClusterFixture fixture)
{
    private const string StateName = "shopper";

    [Fact]
    public async Task Events_of_an_activation_that_lost_the_write_race_are_added_to_the_state_the_other_wrote()
    {
        var id = Guid.NewGuid().ToString("N");
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(id);
        await shopper.Track([View($"{id}-mine-0", "apple")], EventSource.Live);

        await OtherActivationStoresAsync(shopper, id, events: 3);

        await shopper.Track([View($"{id}-mine-1", "apple")], EventSource.Live);
        await fixture.Grains.GetGrain<IWriteBehindGrain>(shopper.GetGrainId()).FlushWriteBehind();

        var stored = await ReadAsync(shopper.GetGrainId());
        Assert.Equal(5, stored.EventCount);
        Assert.Equal(["apple", "apple", "pear", "pear", "pear"], stored.Recent!.Select(r => r.Sku).Order());
        Assert.Equal(5, (await shopper.Get()).EventCount);
    }

    [Fact]
    public async Task A_profile_change_that_lost_the_race_is_refused_so_the_caller_retries_and_the_events_still_merge()
    {
        var id = Guid.NewGuid().ToString("N");
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(id);
        await shopper.Track([View($"{id}-mine-0", "apple")], EventSource.Live);

        await OtherActivationStoresAsync(shopper, id, events: 1);

        await Assert.ThrowsAsync<InconsistentStateException>(() => shopper.UpdateProfile(ImmutableDictionary<string, string?>.Empty.Add("tier", "gold")));
        var stored = await ReadAsync(shopper.GetGrainId());
        Assert.Equal(2, stored.EventCount);
        Assert.Null(stored.Attributes);

        // The retry reaches an activation that read the merged state.
        var view = await shopper.UpdateProfile(ImmutableDictionary<string, string?>.Empty.Add("tier", "gold"));
        Assert.Equal("gold", view.Attributes["tier"]);
        Assert.Equal(2, view.EventCount);
        Assert.Equal("gold", (await ReadAsync(shopper.GetGrainId())).Attributes!["tier"]);
    }

    [Fact]
    public async Task Events_from_before_an_erasure_by_the_other_activation_do_not_come_back()
    {
        var id = Guid.NewGuid().ToString("N");
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(id);
        await shopper.Track([View($"{id}-0", "apple")], EventSource.Live);
        await fixture.Grains.GetGrain<IWriteBehindGrain>(shopper.GetGrainId()).FlushWriteBehind();
        await shopper.Track([View($"{id}-1", "apple")], EventSource.Live);

        // The other activation erases the shopper: the erasure goes to the log, then the state is removed.
        var erasure = new Erasure(id, DateTimeOffset.UtcNow);
        foreach (var silo in fixture.Cluster.Silos)
        {
            await fixture.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<InMemoryEventLog>().RecordErasureAsync(erasure);
        }

        var current = new GrainState<ShopperState>(new ShopperState());
        await Storage.ReadStateAsync(StateName, shopper.GetGrainId(), current);
        await Storage.ClearStateAsync(StateName, shopper.GetGrainId(), current);

        await fixture.Grains.GetGrain<IWriteBehindGrain>(shopper.GetGrainId()).FlushWriteBehind();

        var stored = await ReadAsync(shopper.GetGrainId());
        Assert.False(stored.Exists, "the erased shopper's events must not be written back");
        Assert.Equal(0, stored.EventCount);
    }

    [Fact]
    public async Task An_erasure_wins_over_a_state_the_other_activation_wrote_meanwhile()
    {
        var id = Guid.NewGuid().ToString("N");
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(id);
        await shopper.Track([View($"{id}-mine-0", "apple")], EventSource.Live);

        await OtherActivationStoresAsync(shopper, id, events: 1);

        await shopper.Erase();

        var stored = await ReadAsync(shopper.GetGrainId());
        Assert.False(stored.Exists);
        Assert.Equal(0, stored.EventCount);
        Assert.Equal(0, (await shopper.Get()).EventCount);
    }

    [Fact]
    public async Task A_products_counts_from_an_activation_that_lost_the_write_race_are_added_to_the_others()
    {
        var sku = $"dup-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        var sink = fixture.Grains.GetGrain<IProductCountersGrain>(sku);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await sink.AddInteractions([new DailyProductStats(today, 1, 0, 0, 0, 0)]);
        await ViewsReachAsync(product, 1);

        // The other activation stores five views of its own.
        var other = new ProductCounters { Daily = [new DailyProductStats(today, 5, 1, 0, 0, 0)] };
        await Storage.WriteStateAsync("counters", sink.GetGrainId(), new GrainState<ProductCounters>(other));

        await sink.AddInteractions([new DailyProductStats(today, 2, 0, 1, 0, 0)]);
        await ViewsReachAsync(product, 3);
        await fixture.Grains.GetGrain<IWriteBehindGrain>(sink.GetGrainId()).FlushWriteBehind();

        var stored = new GrainState<ProductCounters>(new ProductCounters());
        await Storage.ReadStateAsync("counters", sink.GetGrainId(), stored);
        Assert.Equal([new DailyProductStats(today, 8, 1, 1, 0, 0)], stored.State!.Daily);
    }

    [Fact]
    public async Task An_upsert_that_lost_the_write_race_is_stored_over_the_others_and_leaves_the_counts_alone()
    {
        var sku = $"dup-upsert-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await product.Upsert(new ProductInput { Title = "Pear", Category = "fruit", Price = 1m });
        await fixture.Grains.GetGrain<IProductStatsSink>(sku).AddInteractions([new DailyProductStats(today, 2, 0, 0, 0, 0)]);
        await ViewsReachAsync(product, 2);

        // The other activation stores the product as it knew it, and three views of its own.
        var stored = new GrainState<ProductState>(new ProductState());
        await Storage.ReadStateAsync("product", product.GetGrainId(), stored);
        await Storage.WriteStateAsync("product", product.GetGrainId(), stored);
        var renamed = await product.Upsert(new ProductInput { Title = "Conference pear", Category = "fruit", Price = 2m });

        Assert.Equal("Conference pear", renamed.Title);
        await Storage.ReadStateAsync("product", product.GetGrainId(), stored);
        Assert.Equal(("Conference pear", 2m), (stored.State!.Product!.Title, stored.State.Product.Price));

        // The record's activation retires after the race; the counters are another grain's and keep their views.
        Assert.Equal([new DailyProductStats(today, 2, 0, 0, 0, 0)], (await product.GetStats(7)).ToArray());
        Assert.Equal("Conference pear", (await product.Get())!.Title);
    }

    [Fact]
    public async Task Counters_stored_with_the_record_by_an_earlier_build_move_to_their_own_state()
    {
        var sku = $"legacy-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var legacy = new ProductState
        {
            Product = new Product { Sku = sku, Title = "Old pear", Category = "fruit", Price = 1m, UpdatedAt = DateTimeOffset.UtcNow },
            Daily = [new DailyProductStats(today.AddDays(-1), 4, 1, 0, 0, 0)],
        };
        await Storage.WriteStateAsync("product", product.GetGrainId(), new GrainState<ProductState>(legacy));

        Assert.Equal([new DailyProductStats(today.AddDays(-1), 4, 1, 0, 0, 0)], (await product.GetStats(7)).ToArray());
        var counters = fixture.Grains.GetGrain<IProductCountersGrain>(sku);
        await counters.AddInteractions([new DailyProductStats(today, 1, 0, 0, 0, 0)]);
        await fixture.Grains.GetGrain<IWriteBehindGrain>(counters.GetGrainId()).FlushWriteBehind();

        var counts = new GrainState<ProductCounters>(new ProductCounters());
        await Storage.ReadStateAsync("counters", counters.GetGrainId(), counts);
        Assert.Equal([new DailyProductStats(today.AddDays(-1), 4, 1, 0, 0, 0), new DailyProductStats(today, 1, 0, 0, 0, 0)], counts.State!.Daily);
        Assert.Equal("Old pear", (await product.Get())!.Title);

        // The record still holds the old counters until it is next written: a new activation does not add them twice.
        var retired = DirectoryLoss.Strike(product, DeactivationReasonCode.ApplicationRequested);
        await product.Get();
        await retired.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("Old pear", (await product.Get())!.Title);
        Assert.Equal(5, (await product.GetStats(7)).Sum(d => d.Views));
    }

    /// <summary>Counts arrive one-way: waits until the activation holds <paramref name="views"/> views today.</summary>
    private static async Task ViewsReachAsync(IProductGrain product, int views)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await product.GetStats(1)).Sum(d => d.Views) < views && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Plays the other activation: stores a state of <paramref name="events"/> views of its own, with a new ETag.</summary>
    private async Task OtherActivationStoresAsync(IShopperGrain shopper, string id, int events)
    {
        var other = new ShopperState();
        for (var i = 0; i < events; i++)
        {
            ShopperHistory.Apply(other, Record(id, i + 1, View($"{id}-other-{i}", "pear")), new EventIntakeOptions(), 256);
        }

        await Storage.WriteStateAsync(StateName, shopper.GetGrainId(), new GrainState<ShopperState>(other));
    }

    private IGrainStorage Storage => fixture.GrainStorage;

    private async Task<ShopperState> ReadAsync(GrainId grain)
    {
        var state = new GrainState<ShopperState>(new ShopperState());
        await Storage.ReadStateAsync(StateName, grain, state);
        return state.State ?? new ShopperState();
    }

    private static LoggedEvent Record(string shopper, long seq, ShopperEvent e) =>
        new(shopper, seq, DateTimeOffset.UtcNow, EventSource.Live, false, e);
}
