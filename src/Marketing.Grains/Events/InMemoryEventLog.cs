using System.Runtime.CompilerServices;

namespace Marketing.Grains.Events;

/// <summary>
/// A log that lives as long as the silo: for tests and for measuring what durable storage costs. It keeps the same
/// contract (erasures filter reads) so readers behave the same against either.
/// </summary>
public sealed class InMemoryEventLog : IEventLog, IEventLogReader, IEventLogCursor
{
    /// <summary>The one "incarnation" of this log in a <see cref="LogPosition"/>; its offset counts records.</summary>
    public const string Incarnation = "memory";

    private const string Segment = "memory.log";

    private readonly Lock _lock = new();
    private readonly List<LoggedEvent> _records = [];
    private readonly Dictionary<string, DateTimeOffset> _erasures = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public Task AppendAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _records.AddRange(records);
        }

        return Task.CompletedTask;
    }

    public Task RecordErasureAsync(Erasure erasure, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _erasures[erasure.Shopper] = erasure.ErasedAt;
        }

        return Task.CompletedTask;
    }

    public Task<DateTimeOffset?> ErasedAtAsync(string shopper, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult(_erasures.TryGetValue(shopper, out var at) ? at : (DateTimeOffset?)null);
        }
    }

    public async IAsyncEnumerable<LoggedEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LoggedEvent[] snapshot;
        Dictionary<string, DateTimeOffset> erasures;
        lock (_lock)
        {
            snapshot = [.. _records];
            erasures = new(_erasures);
        }

        foreach (var record in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!record.IsErasedBy(erasures))
            {
                yield return record;
            }
        }

        await Task.CompletedTask;
    }

    public Task<LogPage> ReadFromAsync(LogPosition from, int maxEvents, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        var next = (int)(from.Of(Incarnation)?.Offset ?? 0);
        var events = new List<LoggedEvent>();
        lock (_lock)
        {
            // Erased records are passed over but still move the position on, as in the durable log.
            for (; next < _records.Count && events.Count < maxEvents; next++)
            {
                if (!_records[next].IsErasedBy(_erasures))
                {
                    events.Add(_records[next]);
                }
            }

            var caughtUp = next >= _records.Count;
            return Task.FromResult(new LogPage(events, from.With(Incarnation, new SegmentOffset { Segment = Segment, Offset = next }), caughtUp));
        }
    }

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(new Dictionary<string, DateTimeOffset>(_erasures));
        }
    }
}
