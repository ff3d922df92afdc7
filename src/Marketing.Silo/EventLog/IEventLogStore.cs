using Marketing.Grains.Events;

namespace Marketing.Silo.EventLog;

/// <summary>
/// Where the durable log keeps its bytes: per silo incarnation, a sequence of segments (appended to while open,
/// sealed into one piece once rolled over), a checkpoint and a closed marker; and beside them one erasure record per
/// erased shopper. <see cref="AzureBlobEventLogStore"/> is the real one; <see cref="InMemoryEventLogStore"/> lets the
/// writer, recovery and the cursor be tested without storage.
/// </summary>
public interface IEventLogStore
{
    /// <summary>Where the log lives, for the start-up log line.</summary>
    string Location { get; }

    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Creates an empty segment (if absent) to append blocks to.</summary>
    Task<ISegmentAppender> CreateSegmentAsync(string incarnation, string file, CancellationToken cancellationToken);

    /// <summary>Incarnations with a log, ordinal by name, with their segments; just <paramref name="incarnation"/> when given.</summary>
    Task<IReadOnlyList<StoredLog>> ListLogsAsync(string? incarnation, CancellationToken cancellationToken);

    /// <summary>
    /// The bytes of a listed segment from <paramref name="offset"/>: <paramref name="length"/> of them, or to the end when
    /// null; empty at or past the end. A segment sealed since it was listed is read from its sealed copy.
    /// </summary>
    Task<ReadOnlyMemory<byte>> ReadSegmentAsync(string incarnation, StoredSegment segment, long offset, int? length, CancellationToken cancellationToken);

    /// <summary>The incarnation's checkpoint, or null when it never wrote one.</summary>
    Task<LogCheckpoint?> ReadCheckpointAsync(string incarnation, CancellationToken cancellationToken);

    Task WriteCheckpointAsync(string incarnation, LogCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Marks that nothing in the incarnation's log still needs replaying.</summary>
    Task MarkClosedAsync(string incarnation, CancellationToken cancellationToken);

    Task WriteErasureAsync(Erasure erasure, CancellationToken cancellationToken);

    Task<DateTimeOffset?> ReadErasureAsync(string shopper, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken);

    /// <summary>Starts the sealed copy of an open segment; until it is committed, readers see only the open one.</summary>
    ISealedSegmentBuilder BeginSealing(string incarnation, string file);

    /// <summary>The current length of an open (unsealed) segment.</summary>
    Task<long> OpenSegmentLengthAsync(string incarnation, string file, CancellationToken cancellationToken);

    /// <summary>Fills <paramref name="buffer"/> from an open segment's bytes at <paramref name="offset"/>.</summary>
    Task ReadOpenSegmentAsync(string incarnation, string file, long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Deletes an open segment once its sealed copy is committed.</summary>
    Task DeleteOpenSegmentAsync(string incarnation, string file, CancellationToken cancellationToken);
}

/// <summary>One open segment, held by the writer for the appends of its hot path.</summary>
public interface ISegmentAppender
{
    /// <summary>The segment's file name.</summary>
    string File { get; }

    /// <summary>Appends the stream's bytes from its position as one atomic block.</summary>
    Task AppendBlockAsync(Stream block, CancellationToken cancellationToken);
}

/// <summary>The sealed copy of a segment, written chunk by chunk and committed at once.</summary>
public interface ISealedSegmentBuilder
{
    /// <summary>The most chunks a sealed copy may take.</summary>
    int MaxChunks { get; }

    Task StageAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);

    /// <summary>Makes the staged chunks, in order, the sealed segment.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}

/// <summary>One incarnation's log as listed: its segments, oldest first, and whether it is closed.</summary>
public sealed record StoredLog(string Incarnation, bool Closed, IReadOnlyList<StoredSegment> Segments);

/// <summary>A segment as listed: its file name, whether the listing found its sealed copy, and its length then.</summary>
public sealed record StoredSegment(string File, bool Sealed, long Length)
{
    /// <summary>When the segment was started (from its file name), so readers can skip segments that ended before a checkpoint.</summary>
    public DateTimeOffset StartedAt => EventLogLayout.SegmentStart(File);
}
