using System.Collections.Concurrent;
using Marketing.Grains.Events;

namespace Marketing.Grains.Tests;

/// <summary>Records the event ids it is handed, on every silo of the test cluster.</summary>
public sealed class RecordingSubscriber : IShopperEventSubscriber
{
    public static ConcurrentDictionary<string, int> Seen { get; } = new();

    public string Name => "test-recording";

    public ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            Seen.AddOrUpdate(record.Event.EventId, 1, (_, n) => n + 1);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Throws on every batch.</summary>
public sealed class ThrowingSubscriber : IShopperEventSubscriber
{
    private static int _calls;

    public static int Calls => Volatile.Read(ref _calls);

    public string Name => "test-throwing";

    public ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        throw new InvalidOperationException("this subscriber always fails");
    }
}

/// <summary>Hangs on every batch while a test holds it, then records what it was handed.</summary>
public sealed class HangingSubscriber : IShopperEventSubscriber
{
    private static readonly Lock Gate = new();
    private static TaskCompletionSource _released = Released();

    public static ConcurrentDictionary<string, int> Seen { get; } = new();

    public string Name => "test-hanging";

    /// <summary>Makes every batch wait until the returned handle is disposed.</summary>
    public static IDisposable Hold()
    {
        lock (Gate)
        {
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new Release(_released);
        }
    }

    public async ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        Task released;
        lock (Gate)
        {
            released = _released.Task;
        }

        await released.WaitAsync(cancellationToken);
        foreach (var record in records)
        {
            Seen.AddOrUpdate(record.Event.EventId, 1, (_, n) => n + 1);
        }
    }

    private static TaskCompletionSource Released()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    private sealed class Release(TaskCompletionSource released) : IDisposable
    {
        public void Dispose() => released.TrySetResult();
    }
}
