using Marketing.Grains;
using Marketing.Grains.Events;


namespace Marketing.Silo.EventLog;

/// <summary>
/// Closes the gap a crashed silo leaves: its log tail (records after its last checkpoint) holds acknowledged events
/// its grains had not yet written to state. Every silo loads the tails of dead silos; a shopper grain activating
/// anywhere first takes its pending records (<see cref="PendingFor"/>). One silo, the active member with the lowest
/// address, wakes every shopper named in a tail so all are written, then marks the tail closed so nobody reads it
/// again; the others drop the tail once they see it closed (<see cref="WaitForTurnAsync"/>).
/// </summary>
public sealed partial class EventLogRecovery(
    DurableEventLog log,
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IGrainFactory grains,
    ILogger<EventLogRecovery> logger) : IEventLogRecovery, ILifecycleParticipant<ISiloLifecycle>
{
    private const int WakeConcurrency = 32;

    /// <summary>How often a silo that leaves the waking to another looks whether the tail is closed yet.</summary>
    private static readonly TimeSpan TurnPollInterval = TimeSpan.FromSeconds(1);

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
            if (!await WaitForTurnAsync(incarnation, cancellationToken))
            {
                lock (_lock)
                {
                    _tails.Remove(incarnation);
                }

                LogClosedElsewhere(incarnation);
                continue;
            }

            await Parallel.ForEachAsync(
                tail.Keys,
                new ParallelOptions { MaxDegreeOfParallelism = WakeConcurrency, CancellationToken = cancellationToken },
                async (shopper, _) => await grains.GetGrain<IShopperRecoveryGrain>(shopper).Recover());
            await log.MarkClosedAsync(incarnation, cancellationToken);
            lock (_lock)
            {
                // Every shopper in the tail has written its state; nobody needs these records any more.
                _tails.Remove(incarnation);
            }

            LogRecovered(incarnation, tail.Count, tail.Values.Sum(r => r.Count));
        }
    }

    /// <summary>
    /// Every live silo loads a dead silo's tail, so that its shoppers find their records wherever they activate, but
    /// only one wakes them all: the active member with the lowest address. Two doing it, as before, made every
    /// shopper of the tail recover twice, and a busy one write twice, while intake waited for the same two cores.
    /// The others wait until that silo has closed the tail, or until they become the lowest themselves (it died
    /// or left meanwhile, and the tail is still open).
    /// </summary>
    /// <returns>True when this silo is to wake the tail's shoppers; false once another has closed the tail.</returns>
    private async Task<bool> WaitForTurnAsync(string incarnation, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lowest = membership.CurrentSnapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active)
                .Select(m => m.SiloAddress)
                .Min();
            if (lowest is null || lowest.Equals(local.SiloAddress))
            {
                return true;
            }

            var open = await log.ListIncarnationsAsync(openOnly: true, cancellationToken);
            if (!open.Contains(incarnation, StringComparer.Ordinal))
            {
                return false;
            }

            await Task.Delay(TurnPollInterval, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dead silo {Incarnation}: its tail was recovered and closed by another silo")]
    private partial void LogClosedElsewhere(string incarnation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead silo {Incarnation}: loaded its log tail naming {Shoppers} shoppers ({Records} records from {Bytes} bytes of log)")]
    private partial void LogTailLoaded(string incarnation, int shoppers, int records, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead silo {Incarnation} recovered: {Shoppers} shoppers, {Events} tail events checked")]
    private partial void LogRecovered(string incarnation, int shoppers, int events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event-log recovery failed (attempt {Attempt}); retrying")]
    private partial void LogRecoveryFailed(Exception ex, int attempt);
}
