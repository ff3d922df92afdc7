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

/// <summary>
/// Reads the durable log page by page from a stored <see cref="LogPosition"/>: the seam for consumers that need
/// every event (trainers, insight jobs) and must pick up where they left off after a restart.
/// </summary>
/// <remarks>
/// <para>
/// The log is one sequence of segments per silo incarnation. A position holds, for each incarnation read so far, the
/// segment file and the byte offset up to which it has been read; incarnations it does not name are read from their
/// start. <see cref="ReadFromAsync"/> returns acknowledged events after the position, across every incarnation, live
/// or dead, and every segment, sealed or still being appended, with the position just past the last one returned.
/// </para>
/// <para>
/// Guarantees: reading again from a returned position yields only events appended after it was taken, never one
/// twice and never one skipped, whether the same cursor, another one or another process reads (blocks are
/// appended atomically and hold whole lines; a sealed segment has the same bytes as the append blob it was, so
/// offsets hold across sealing). Events of an erased shopper logged at or before the erasure are skipped, yet still
/// move the position on. Order holds within an incarnation, not across incarnations. An event appears once per
/// time it was appended: a grain that retried an append whose first attempt had in fact landed logs it twice, so
/// consumers that count must dedupe by <see cref="Marketing.Abstractions.Events.ShopperEvent.EventId"/>.
/// </para>
/// </remarks>
public interface IEventLogCursor
{
    /// <summary>
    /// Up to <paramref name="maxEvents"/> events logged after <paramref name="from"/> (use <see cref="LogPosition.Start"/>
    /// for the whole log), and the position to read from next time.
    /// </summary>
    Task<LogPage> ReadFromAsync(LogPosition from, int maxEvents, CancellationToken cancellationToken = default);
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
