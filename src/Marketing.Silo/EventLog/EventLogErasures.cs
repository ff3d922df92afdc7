using Marketing.Grains.Events;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The erasures beside the log: one record per erased shopper, holding when, so that every reader (recovery, the
/// cursor, whole-log reads) drops that shopper's records logged up to then. Written before the shopper's state is
/// removed; a later erasure of the same shopper replaces the earlier.
/// </summary>
public sealed class EventLogErasures(IEventLogStore store)
{
    public Task RecordAsync(Erasure erasure, CancellationToken cancellationToken) => store.WriteErasureAsync(erasure, cancellationToken);

    /// <summary>When the shopper was last erased, or null if never.</summary>
    public Task<DateTimeOffset?> ErasedAtAsync(string shopper, CancellationToken cancellationToken) => store.ReadErasureAsync(shopper, cancellationToken);

    /// <summary>Every erasure, by shopper.</summary>
    public Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadAllAsync(CancellationToken cancellationToken) => store.ReadErasuresAsync(cancellationToken);
}
