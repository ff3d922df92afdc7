using System.Diagnostics.Metrics;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Marketing.Grains.Tests.ClusterFixture;
using static Marketing.Grains.Tests.Eventually;

namespace Marketing.Grains.Tests;

/// <summary>
/// Features join the event flow as subscribers. The test cluster registers, besides the product counters, one that
/// always throws, one that hangs while a test holds it, and one that records what it sees.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class EventSubscriberTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_subscriber_that_throws_or_hangs_neither_fails_nor_delays_an_acknowledgement()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(Guid.NewGuid().ToString("N"));
        var sku = $"sub-{Guid.NewGuid():N}";
        var ids = Enumerable.Range(0, 3).Select(i => $"{sku}-e{i}").ToArray();
        var throwsBefore = ThrowingSubscriber.Calls;

        TrackResult result;
        using (HangingSubscriber.Hold())
        {
            // The hanging subscriber holds its loop on every batch until released; the acknowledgement does not wait.
            result = await shopper.Track([.. ids.Select(id => View(id, sku))], EventSource.Live).WaitAsync(Prompt);
            var second = await shopper.Track([View($"{sku}-e3", sku)], EventSource.Live).WaitAsync(Prompt);
            Assert.Equal(1, second.Accepted);

            // The others are not held up by it: the recorder and the product counters see the events meanwhile.
            await WaitForAsync(() => Task.FromResult(ids.All(RecordingSubscriber.Seen.ContainsKey)), all => all);
            var stats = await WaitForAsync(() => fixture.Grains.GetGrain<IProductGrain>(sku).GetStats(1), s => s.Sum(d => d.Views) == 4);
            Assert.Equal(4, stats.Sum(d => d.Views));
            Assert.DoesNotContain(ids[0], HangingSubscriber.Seen.Keys);
        }

        Assert.Equal(3, result.Accepted);
        Assert.True(ThrowingSubscriber.Calls > throwsBefore, "the throwing subscriber was never called");
        Assert.All(ids, id => Assert.Equal(1, RecordingSubscriber.Seen[id]));

        // Released, the hanging subscriber gets what was queued for it, each batch once.
        await WaitForAsync(() => Task.FromResult(ids.All(HangingSubscriber.Seen.ContainsKey)), all => all);
        Assert.All(ids, id => Assert.Equal(1, HangingSubscriber.Seen[id]));
    }

    [Fact]
    public async Task Resent_events_and_bots_events_reach_subscribers_as_the_log_has_them()
    {
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(Guid.NewGuid().ToString("N"));
        var sku = $"sub-{Guid.NewGuid():N}";

        await shopper.Track([View($"{sku}-a", sku)], EventSource.Live);
        await shopper.Track([View($"{sku}-a", sku), View($"{sku}-b", sku)], EventSource.Live);

        // The duplicate was never logged, so it is never delivered.
        await WaitForAsync(() => Task.FromResult(RecordingSubscriber.Seen.ContainsKey($"{sku}-b")), seen => seen);
        Assert.Equal(1, RecordingSubscriber.Seen[$"{sku}-a"]);
    }

    [Fact]
    public async Task A_full_queue_drops_batches_for_that_subscriber_only_and_counts_them()
    {
        var slow = new HeldSubscriber("slow");
        var quick = new HeldSubscriber("quick");
        quick.Release();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        var dropped = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "marketing.subscribers.events")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(p => p.Key, p => p.Value as string);
            if (t["outcome"] == "dropped")
            {
                lock (dropped)
                {
                    dropped[t["subscriber"]!] = dropped.GetValueOrDefault(t["subscriber"]!) + value;
                }
            }
        });
        listener.Start();

        var feed = new ShopperEventFeed(
            [slow, quick],
            Options.Create(new EventIntakeOptions { SubscriberQueueCapacity = 16 }),
            meters,
            TimeProvider.System,
            NullLogger<ShopperEventFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);

        // The slow one takes the first batch and hangs on it; 16 more fill its queue; the last 3 are dropped for it.
        // The quick one keeps up (each batch is waited for, so a busy machine cannot fill its queue).
        for (var i = 0; i < 20; i++)
        {
            feed.Publish([Record($"b{i}")]);
            var published = i + 1;
            await WaitForAsync(() => Task.FromResult(quick.Count), seen => seen == published);
            if (i == 0)
            {
                await WaitForAsync(() => Task.FromResult(slow.Started), started => started);
            }
        }

        slow.Release();
        await feed.StopAsync(CancellationToken.None);

        Assert.Equal(20, quick.Seen.Count);
        Assert.Equal(17, slow.Seen.Count);
        Assert.Equal(["b17", "b18", "b19"], Enumerable.Range(0, 20).Select(i => $"b{i}").Except(slow.Seen));
        Assert.Equal(3, dropped.GetValueOrDefault("slow"));
        Assert.Equal(0, dropped.GetValueOrDefault("quick"));
    }

    private static LoggedEvent Record(string id) =>
        new("s", 1, DateTimeOffset.UtcNow, EventSource.Live, false, View(id, "sku"));


    private sealed class HeldSubscriber(string name) : IShopperEventSubscriber
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _started;

        public List<string> Seen { get; } = [];

        public bool Started => _started;

        public int Count
        {
            get
            {
                lock (Seen)
                {
                    return Seen.Count;
                }
            }
        }

        public string Name => name;

        public void Release() => _released.TrySetResult();

        public async ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
        {
            _started = true;
            await _released.Task;
            lock (Seen)
            {
                Seen.AddRange(records.Select(r => r.Event.EventId));
            }
        }
    }
}
