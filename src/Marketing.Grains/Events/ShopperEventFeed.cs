using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Events;

/// <summary>
/// Hands every batch a shopper grain acknowledged to the silo's <see cref="IShopperEventSubscriber"/>s. A grain calls
/// <see cref="Publish"/> after the log has the records; it queues them for each subscriber and returns without
/// waiting, so no subscriber can fail or delay an acknowledgement. Each subscriber has a bounded queue and a loop of
/// its own: a slow one falls behind (and, with its queue full, misses batches, which are counted) without holding up
/// the others.
/// </summary>
public sealed partial class ShopperEventFeed : IHostedService
{
    public const string MeterName = "Marketing.Grains";

    /// <summary>A failing subscriber is logged at most this often, with the count of failures since the last line.</summary>
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long a stopping silo waits for queued batches to be delivered.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private readonly Subscription[] _subscriptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger<ShopperEventFeed> _logger;
    private readonly TimeProvider _time;

    public ShopperEventFeed(
        IEnumerable<IShopperEventSubscriber> subscribers,
        IOptions<EventIntakeOptions> options,
        IMeterFactory meters,
        TimeProvider time,
        ILogger<ShopperEventFeed> logger)
    {
        _logger = logger;
        _time = time;
        var events = meters.Create(MeterName).CreateCounter<long>(
            "marketing.subscribers.events", "{event}", "Shopper events handed to subscribers, by subscriber and outcome (delivered, failed, dropped).");
        _subscriptions = [.. subscribers.Select(s => new Subscription(this, s, options.Value.SubscriberQueueCapacity, events))];
    }

    /// <summary>The registered subscribers' names, in delivery order.</summary>
    public IReadOnlyList<string> Subscribers => [.. _subscriptions.Select(s => s.Name)];

    /// <summary>Queues durable <paramref name="records"/> for every subscriber. Never blocks and never throws.</summary>
    public void Publish(IReadOnlyList<LoggedEvent> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        foreach (var subscription in _subscriptions)
        {
            subscription.Offer(records);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Start(_stopping.Token);
        }

        return Task.CompletedTask;
    }

    /// <summary>Delivers what is queued, for at most a few seconds, then cancels what is still running.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Complete();
        }

        try
        {
            await Task.WhenAll(_subscriptions.Select(s => s.Running)).WaitAsync(DrainLimit, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogDrainCut(_subscriptions.Sum(s => s.Queued));
        }
        finally
        {
            await _stopping.CancelAsync();
        }
    }

    private sealed class Subscription
    {
        private readonly ShopperEventFeed _feed;
        private readonly IShopperEventSubscriber _subscriber;
        private readonly Channel<IReadOnlyList<LoggedEvent>> _queue;
        private readonly Counter<long> _events;
        private readonly KeyValuePair<string, object?> _name;
        private readonly Lock _dropLock = new();
        private long _failuresSinceLog;
        private long _droppedSinceLog;
        private DateTimeOffset _lastFailureLog = DateTimeOffset.MinValue;
        private DateTimeOffset _lastDropLog = DateTimeOffset.MinValue;

        public Subscription(ShopperEventFeed feed, IShopperEventSubscriber subscriber, int capacity, Counter<long> events)
        {
            _feed = feed;
            _subscriber = subscriber;
            _events = events;
            _name = new("subscriber", subscriber.Name);
            _queue = Channel.CreateBounded<IReadOnlyList<LoggedEvent>>(
                new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite },
                Dropped);
        }

        public string Name => _subscriber.Name;

        public Task Running { get; private set; } = Task.CompletedTask;

        public int Queued => _queue.Reader.Count;

        public void Offer(IReadOnlyList<LoggedEvent> records)
        {
            if (!_queue.Writer.TryWrite(records))
            {
                // The silo is stopping and the queue is closed.
                Dropped(records);
            }
        }

        public void Start(CancellationToken stopping) => Running = Task.Run(() => DeliverAsync(stopping), CancellationToken.None);

        public void Complete() => _queue.Writer.TryComplete();

        private async Task DeliverAsync(CancellationToken stopping)
        {
            try
            {
                await foreach (var records in _queue.Reader.ReadAllAsync(stopping))
                {
                    try
                    {
                        await _subscriber.OnEventsAsync(records, stopping);
                        _events.Add(records.Count, _name, new("outcome", "delivered"));
                    }
                    catch (Exception ex) when (!stopping.IsCancellationRequested)
                    {
                        _events.Add(records.Count, _name, new("outcome", "failed"));
                        Failed(ex);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
        }

        // Only the delivery loop calls this: no lock.
        private void Failed(Exception ex)
        {
            _failuresSinceLog++;
            var now = _feed._time.GetUtcNow();
            if (now - _lastFailureLog >= FailureLogInterval)
            {
                _feed.LogSubscriberFailed(ex, Name, _failuresSinceLog);
                _lastFailureLog = now;
                _failuresSinceLog = 0;
            }
        }

        // Any grain that publishes may call this.
        private void Dropped(IReadOnlyList<LoggedEvent> records)
        {
            _events.Add(records.Count, _name, new("outcome", "dropped"));
            long dropped;
            lock (_dropLock)
            {
                _droppedSinceLog += records.Count;
                var now = _feed._time.GetUtcNow();
                if (now - _lastDropLog < FailureLogInterval)
                {
                    return;
                }

                _lastDropLog = now;
                dropped = _droppedSinceLog;
                _droppedSinceLog = 0;
            }

            _feed.LogSubscriberBehind(Name, dropped);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event subscriber {Subscriber} failed on {Batches} batches since it was last reported; they are not retried (the log keeps every event)")]
    private partial void LogSubscriberFailed(Exception ex, string subscriber, long batches);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event subscriber {Subscriber} is behind: {Events} events were not queued for it since it was last reported (the log keeps every event)")]
    private partial void LogSubscriberBehind(string subscriber, long events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The silo stopped before {Batches} queued event batches reached their subscribers")]
    private partial void LogDrainCut(int batches);
}
