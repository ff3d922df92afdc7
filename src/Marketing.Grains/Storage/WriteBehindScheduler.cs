using Marketing.Abstractions;
using Marketing.Grains.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Storage;

/// <summary>
/// The one clock behind every <see cref="DeferredWrite"/> on this silo. A grain timer per dirty grain costs about
/// 700 bytes of timer, delegate and bookkeeping objects, and a silo holds a hundred thousand dirty shoppers; here a
/// due write is one entry of a priority queue, and when it comes due the grain is called like any other caller would,
/// so the write runs in the grain's own turn. At most <see cref="EventIntakeOptions.MaxConcurrentStateWrites"/> writes
/// are in flight, so a crowd of grains dirtied in the same second reaches storage as a stream, not a wall, and the
/// event log's appends do not wait behind it.
/// </summary>
public sealed partial class WriteBehindScheduler(
    IGrainFactory grains,
    TimeProvider time,
    IOptions<EventIntakeOptions> options,
    ILogger<WriteBehindScheduler> logger)
    : BackgroundService
{
    /// <summary>How often due writes are looked for; a write is at most this late.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a grain that could not be reached waits before it is asked again.</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly Dictionary<GrainId, long> _due = [];
    private readonly PriorityQueue<GrainId, long> _queue = new();
    private readonly SemaphoreSlim _inFlight = new(options.Value.MaxConcurrentStateWrites, options.Value.MaxConcurrentStateWrites);

    /// <summary>Whether <paramref name="grain"/> has a write waiting for its time.</summary>
    public bool IsScheduled(GrainId grain)
    {
        lock (_lock)
        {
            return _due.ContainsKey(grain);
        }
    }

    /// <summary>Asks for <paramref name="grain"/>'s write after <paramref name="delay"/>; an earlier request stands.</summary>
    public void Schedule(GrainId grain, TimeSpan delay)
    {
        var due = time.GetUtcNow().UtcTicks + delay.Ticks;
        lock (_lock)
        {
            if (_due.TryGetValue(grain, out var existing) && existing <= due)
            {
                return;
            }

            _due[grain] = due;
            _queue.Enqueue(grain, due);
        }
    }

    /// <summary>Forgets <paramref name="grain"/>'s request (its state was written another way, or it is going away).</summary>
    public void Cancel(GrainId grain)
    {
        lock (_lock)
        {
            // The queue entry stays and is skipped when it surfaces: removing it would cost a scan.
            _due.Remove(grain);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        var due = new List<(GrainId Grain, long At)>();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                TakeDue(due);
                foreach (var (grain, at) in due)
                {
                    await _inFlight.WaitAsync(stoppingToken);

                    // While this waited for a free slot the grain may have written, been erased or gone away.
                    if (Claim(grain, at))
                    {
                        _ = FlushAsync(grain, stoppingToken);
                    }
                    else
                    {
                        _inFlight.Release();
                    }
                }

                due.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The silo is stopping: deactivating grains flush themselves.
        }
    }

    /// <summary>Takes the queue entries that are due and still current; they stay requested until <see cref="Claim"/>.</summary>
    private void TakeDue(List<(GrainId Grain, long At)> due)
    {
        var now = time.GetUtcNow().UtcTicks;
        lock (_lock)
        {
            while (_queue.TryPeek(out var grain, out var at) && at <= now)
            {
                _queue.Dequeue();
                if (_due.TryGetValue(grain, out var current) && current == at)
                {
                    due.Add((grain, at));
                }
            }
        }
    }

    /// <summary>Whether the request due at <paramref name="at"/> still stands; if so it is taken, to be carried out now.</summary>
    private bool Claim(GrainId grain, long at)
    {
        lock (_lock)
        {
            return _due.TryGetValue(grain, out var current) && current == at && _due.Remove(grain);
        }
    }

    private async Task FlushAsync(GrainId grain, CancellationToken stoppingToken)
    {
        try
        {
            await grains.Ref<IWriteBehindGrain>(grain).FlushWriteBehind();
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Soon again: a failed write kept its change, and a grain that was not reached never saw the call.
            LogFlushFailed(ex, grain);
            Schedule(grain, RetryDelay);
        }
        catch (Exception ex)
        {
            LogFlushFailedWhileStopping(ex, grain);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    public override void Dispose()
    {
        _inFlight.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Write-behind of {Grain} failed; it is tried again")]
    private partial void LogFlushFailed(Exception ex, GrainId grain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Write-behind of {Grain} did not finish before the silo stopped; the grain flushes on deactivation")]
    private partial void LogFlushFailedWhileStopping(Exception ex, GrainId grain);
}
