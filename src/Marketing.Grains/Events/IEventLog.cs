namespace Marketing.Grains.Events;

/// <summary>
/// The durable event log, written by every silo into its own sequence of segments (one per silo incarnation).
/// Grains acknowledge events only after <see cref="AppendAsync"/> completes; grain state may lag behind the log and
/// is rebuilt from it after a crash.
/// </summary>
public interface IEventLog
{
    /// <summary>Appends records; completes once they are durable. Concurrent calls are committed together.</summary>
    Task AppendAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken = default);

    /// <summary>Durably records that a shopper was erased, before their state is removed.</summary>
    Task RecordErasureAsync(Erasure erasure, CancellationToken cancellationToken = default);

    /// <summary>When the shopper was last erased, or null if never.</summary>
    Task<DateTimeOffset?> ErasedAtAsync(string shopper, CancellationToken cancellationToken = default);
}

/// <summary>Reads the log back: dead silos' tails for recovery, and the whole history for training and reports.</summary>
public interface IEventLogReader
{
    /// <summary>Every record of every silo, oldest segment first, without erased shoppers' records.</summary>
    IAsyncEnumerable<LoggedEvent> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Erasures, by shopper.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken = default);
}

/// <summary>Gives a grain, as it activates, the records a crashed silo acknowledged but never reflected in state.</summary>
public interface IEventLogRecovery
{
    /// <summary>Records for <paramref name="shopper"/> from dead silos' unfinished log tails, in sequence order.</summary>
    ValueTask<IReadOnlyList<LoggedEvent>> PendingFor(string shopper, CancellationToken cancellationToken = default);
}

/// <summary>For silos whose log does not survive them (the in-memory log): nothing is ever pending.</summary>
public sealed class NoEventLogRecovery : IEventLogRecovery
{
    public ValueTask<IReadOnlyList<LoggedEvent>> PendingFor(string shopper, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<LoggedEvent>>([]);
}
