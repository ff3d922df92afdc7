using System.Collections.Concurrent;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests;

/// <summary>
/// Write-behind through the silo's one scheduler (no grain timers): a shopper's burst of events reaches storage in a
/// single write once the flush interval is over, while the grain stays active. Its own one-silo cluster with a short
/// interval and a storage that counts writes.
/// </summary>
public sealed class WriteBehindTests : IAsyncLifetime
{
    /// <summary>Long enough that the burst (five calls, the first activating the grain) surely ends before the earliest write (¾ of it) on a busy CI machine.</summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(1200);
    private readonly CountingStorage _storage = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Events:StateFlushInterval"] = FlushInterval.ToString(),
            ["Events:ProductStatsWriteDelay"] = FlushInterval.ToString(),
            ["Events:ProductStatsInterval"] = "00:00:00.200",
        }));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.GrainState, _storage);
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.CatalogueState, _storage);
            silo.AddMarketingGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_burst_of_events_is_written_once_after_the_flush_interval_while_the_shopper_stays_active()
    {
        var id = Guid.NewGuid().ToString("N");
        var shopper = _cluster.Client.GetGrain<IShopperGrain>(id);
        for (var i = 0; i < 5; i++)
        {
            await shopper.Track([View($"{id}-{i}", "24852")], EventSource.Live);
        }

        var services = _cluster.GetSiloServiceProvider(_cluster.Silos[0].SiloAddress);
        var tracker = services.GetRequiredService<WriteBehindTracker>();
        var scheduler = services.GetRequiredService<WriteBehindScheduler>();
        Assert.Equal(0, _storage.WritesOf(id));
        Assert.True(tracker.DirtyCount >= 1, "the shopper is dirty until its state is written");
        Assert.True(scheduler.IsScheduled(shopper.GetGrainId()), "a write is waiting for its time");

        await Until(() => _storage.WritesOf(id) > 0);

        // Long enough for a second, unwanted write to happen too.
        await Task.Delay(FlushInterval * 2);
        Assert.Equal(1, _storage.WritesOf(id));
        Assert.Equal(5, ((ShopperStateProbe)_storage.Last(id)).EventCount);
        Assert.Equal(0, tracker.DirtyCount);
        Assert.False(scheduler.IsScheduled(shopper.GetGrainId()));

        // Still the same activation: its in-memory state answers, and the next event schedules a new write.
        Assert.Equal(5, (await shopper.Get()).EventCount);
        await shopper.Track([View($"{id}-late", "24852")], EventSource.Live);
        await Until(() => _storage.WritesOf(id) >= 2);

        Assert.Equal(2, _storage.WritesOf(id));
        Assert.Equal(6, ((ShopperStateProbe)_storage.Last(id)).EventCount);
    }

    [Fact]
    public async Task A_shopper_erased_before_its_write_is_due_is_not_written_and_not_woken_again()
    {
        var id = Guid.NewGuid().ToString("N");
        var shopper = _cluster.Client.GetGrain<IShopperGrain>(id);
        await shopper.Track([View($"{id}-0", "24852")], EventSource.Live);
        var scheduler = _cluster.GetSiloServiceProvider(_cluster.Silos[0].SiloAddress).GetRequiredService<WriteBehindScheduler>();
        Assert.True(scheduler.IsScheduled(shopper.GetGrainId()));

        await shopper.Erase();
        Assert.False(scheduler.IsScheduled(shopper.GetGrainId()), "erasure drops the pending write");

        await Task.Delay(FlushInterval * 2);
        Assert.Equal(0, _storage.WritesOf(id));
        Assert.Equal(1, _storage.ReadsOf(id)); // one activation: nothing woke the erased shopper again
    }

    [Fact]
    public async Task A_products_counters_are_written_once_after_their_write_delay_with_every_count()
    {
        var sku = $"counted-{Guid.NewGuid():N}";
        var id = Guid.NewGuid().ToString("N");
        await _cluster.Client.GetGrain<IShopperGrain>(id).Track([View($"{id}-0", sku), View($"{id}-1", sku), View($"{id}-2", sku)], EventSource.Live);

        // The silo's tally reaches the product within 200 ms; its write is due no sooner than ¾ of the delay after.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Equal(0, _storage.WritesOf(sku));

        await Until(() => _storage.WritesOf(sku) > 0);

        await Task.Delay(FlushInterval * 2);
        Assert.Equal(1, _storage.WritesOf(sku));
        Assert.Equal(3, ((ProductStateProbe)_storage.Last(sku)).Views);
    }

    /// <summary>Waits for a write the test expects, for at most 10 s; the assertions after it say what was missing.</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
    }

    /// <summary>What a test reads back from a stored shopper state.</summary>
    private sealed record ShopperStateProbe(long EventCount);

    /// <summary>What a test reads back from a product's stored counters: views over all its days.</summary>
    private sealed record ProductStateProbe(int Views);

    /// <summary>Grain storage that keeps nothing but the number of writes per grain and what the last one held.</summary>
    private sealed class CountingStorage : IGrainStorage
    {
        private readonly ConcurrentDictionary<string, (int Writes, object Last)> _writes = new();
        private readonly ConcurrentDictionary<string, int> _reads = new();

        /// <summary>State reads of a shopper: one per activation.</summary>
        public int ReadsOf(string shopper) => _reads.GetValueOrDefault(shopper);

        public int WritesOf(string shopper) => _writes.TryGetValue(shopper, out var w) ? w.Writes : 0;

        public object Last(string shopper) => _writes[shopper].Last;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            // Activations of the grain whose state this is (a shopper's support grain shares the key, not the state).
            if (stateName != "support")
            {
                _reads.AddOrUpdate(grainId.Key.ToString()!, 1, (_, n) => n + 1);
            }

            return Task.CompletedTask;
        }

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            if (grainState.State is Shoppers.ShopperState user)
            {
                var probe = new ShopperStateProbe(user.EventCount);
                _writes.AddOrUpdate(grainId.Key.ToString()!, _ => (1, probe), (_, w) => (w.Writes + 1, probe));
            }
            else if (grainState.State is Products.ProductCounters product)
            {
                var probe = new ProductStateProbe(product.Daily.Sum(d => d.Views));
                _writes.AddOrUpdate(grainId.Key.ToString()!, _ => (1, probe), (_, w) => (w.Writes + 1, probe));
            }

            grainState.ETag = Guid.NewGuid().ToString("N");
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;
    }
}
