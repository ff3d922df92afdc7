using Marketing.Grains.Events;
using Marketing.Grains.Users;


namespace Marketing.Silo.EventLog;

/// <summary>
/// Closes the gap a crashed silo leaves: its log tail (records after its last checkpoint) holds acknowledged events
/// its grains had not yet written to state. Every silo loads the tails of dead silos; a shopper grain activating
/// anywhere first takes its pending records (<see cref="PendingFor"/>), and this service wakes every shopper named
/// in a tail so all are written, then marks the tail closed so nobody reads it again.
/// </summary>
public sealed partial class EventLogRecovery(
    AppendBlobEventLog log,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IGrainFactory grains,
    ILogger<EventLogRecovery> logger) : IEventLogRecovery, ILifecycleParticipant<ISiloLifecycle>
{
    private const int WakeConcurrency = 32;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Task<Dictionary<string, List<LoggedEvent>>>> _tails = new(StringComparer.Ordinal);

    // Dead incarnations already looked at: loaded, closed, or found without an open log.
    private readonly HashSet<string> _accounted = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _refresh;
    private Task? _watch;

    /// <summary>True once the dead silos known at start have been recovered; readiness waits for it.</summary>
    public bool IsCaughtUp { get; private set; }

    public static string IncarnationOf(SiloAddress silo) =>
        $"{silo.Endpoint.Address}-{silo.Endpoint.Port}-{silo.Generation}";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EventLogRecovery), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public async ValueTask<IReadOnlyList<LoggedEvent>> PendingFor(string shopper, CancellationToken cancellationToken = default)
    {
        await EnsureCurrentAsync().WaitAsync(cancellationToken);
        Task<Dictionary<string, List<LoggedEvent>>>[] tails;
        lock (_lock)
        {
            if (_tails.Count == 0)
            {
                return [];
            }

            tails = [.. _tails.Values];
        }

        List<LoggedEvent>? pending = null;
        foreach (var tail in await Task.WhenAll(tails))
        {
            if (tail.TryGetValue(shopper, out var records))
            {
                (pending ??= []).AddRange(records);
            }
        }

        if (pending is null)
        {
            return [];
        }

        pending.Sort((a, b) => a.Seq.CompareTo(b.Seq));
        return pending;
    }

    /// <summary>Completes at once unless a dead silo appeared that has not been looked at (no I/O on the fast path).</summary>
    private Task EnsureCurrentAsync()
    {
        lock (_lock)
        {
            if (_refresh is null || !_refresh.IsCompleted)
            {
                return _refresh ??= Task.Run(RefreshAsync);
            }

            foreach (var member in membership.CurrentSnapshot.Members.Values)
            {
                if (member.Status == SiloStatus.Dead && !_accounted.Contains(IncarnationOf(member.SiloAddress)))
                {
                    return _refresh = Task.Run(RefreshAsync);
                }
            }

            return _refresh.IsFaulted ? _refresh = Task.Run(RefreshAsync) : Task.CompletedTask;
        }
    }

    // Runs on the thread pool (Task.Run above): it is shared by many grains and must not live on one's scheduler.
    private async Task RefreshAsync()
    {
        var open = await log.ListIncarnationsAsync(openOnly: true, CancellationToken.None);
        var snapshot = membership.CurrentSnapshot;
        var own = IncarnationOf(local.SiloAddress);
        var alive = snapshot.Members.Values
            .Where(m => m.Status != SiloStatus.Dead)
            .Select(m => IncarnationOf(m.SiloAddress))
            .ToHashSet(StringComparer.Ordinal);

        Task[] loading;
        lock (_lock)
        {
            foreach (var (incarnation, tail) in _tails.Where(t => t.Value.IsFaulted).ToList())
            {
                _tails.Remove(incarnation);
                _accounted.Remove(incarnation);
            }

            foreach (var incarnation in open)
            {
                if (incarnation != own && !alive.Contains(incarnation) && _accounted.Add(incarnation))
                {
                    _tails[incarnation] = LoadTailAsync(incarnation);
                }
            }

            foreach (var member in snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead))
            {
                _accounted.Add(IncarnationOf(member.SiloAddress));
            }

            loading = [.. _tails.Values];
        }

        await Task.WhenAll(loading);
    }

    private async Task<Dictionary<string, List<LoggedEvent>>> LoadTailAsync(string incarnation)
    {
        var erasures = await log.ReadErasuresAsync();
        var byShopper = new Dictionary<string, List<LoggedEvent>>(StringComparer.Ordinal);
        var tail = await log.ReadTailAsync(incarnation, CancellationToken.None);
        foreach (var record in tail.Records)
        {
            if (record.IsErasedBy(erasures))
            {
                continue;
            }

            if (!byShopper.TryGetValue(record.Shopper, out var list))
            {
                byShopper[record.Shopper] = list = [];
            }

            list.Add(record);
        }

        LogTailLoaded(incarnation, byShopper.Count, tail.Records.Count, tail.BytesRead);
        return byShopper;
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _watch = Task.Run(() => WatchAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_watch is not null)
        {
            await Task.WhenAny(_watch, Task.Delay(Timeout.Infinite, cancellationToken));
        }
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RecoverWithRetriesAsync(cancellationToken);
            IsCaughtUp = true;
            await foreach (var _ in membership.MembershipUpdates.WithCancellation(cancellationToken))
            {
                await RecoverWithRetriesAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RecoverWithRetriesAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await RecoverAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogRecoveryFailed(ex, attempt);
                if (attempt >= 10)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
            }
        }
    }

    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        await EnsureCurrentAsync().WaitAsync(cancellationToken);
        KeyValuePair<string, Task<Dictionary<string, List<LoggedEvent>>>>[] loaded;
        lock (_lock)
        {
            loaded = [.. _tails];
        }

        foreach (var (incarnation, tailTask) in loaded)
        {
            var tail = await tailTask;
            await Parallel.ForEachAsync(
                tail.Keys,
                new ParallelOptions { MaxDegreeOfParallelism = WakeConcurrency, CancellationToken = cancellationToken },
                async (shopper, _) => await grains.GetGrain<IUserRecoveryGrain>(shopper).Recover());
            await log.MarkClosedAsync(incarnation, cancellationToken);
            lock (_lock)
            {
                // Every shopper in the tail has written its state; nobody needs these records any more.
                _tails.Remove(incarnation);
            }

            LogRecovered(incarnation, tail.Count, tail.Values.Sum(r => r.Count));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead silo {Incarnation}: loaded its log tail naming {Shoppers} shoppers ({Records} records from {Bytes} bytes of log)")]
    private partial void LogTailLoaded(string incarnation, int shoppers, int records, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead silo {Incarnation} recovered: {Shoppers} shoppers, {Events} tail events checked")]
    private partial void LogRecovered(string incarnation, int shoppers, int events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event-log recovery failed (attempt {Attempt}); retrying")]
    private partial void LogRecoveryFailed(Exception ex, int attempt);
}
