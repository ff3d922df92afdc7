using Marketing.Grains.Events;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The log's pieces in memory, with the store's semantics (atomic blocks, a sealed copy that replaces the open
/// segment only once committed, checkpoints in their stored text): for tests of the writer, recovery and the cursor.
/// </summary>
public sealed class InMemoryEventLogStore : IEventLogStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, Log> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _erasures = new(StringComparer.Ordinal);

    public string Location => "memory";

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<ISegmentAppender> CreateSegmentAsync(string incarnation, string file, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            LogOf(incarnation).Open.TryAdd(file, new MemoryStream());
            return Task.FromResult<ISegmentAppender>(new Appender(this, incarnation, file));
        }
    }

    public Task<IReadOnlyList<StoredLog>> ListLogsAsync(string? incarnation, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var logs = _logs
                .Where(l => incarnation is null || l.Key == incarnation)
                .Select(l => new StoredLog(l.Key, l.Value.Closed, SegmentsOf(l.Value)))
                .Where(l => l.Segments.Count > 0);
            return Task.FromResult<IReadOnlyList<StoredLog>>([.. logs]);
        }
    }

    public Task<ReadOnlyMemory<byte>> ReadSegmentAsync(string incarnation, StoredSegment segment, long offset, int? length, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var log = LogOf(incarnation);
            var bytes = log.Sealed.TryGetValue(segment.File, out var sealedBytes)
                ? sealedBytes
                : log.Open.TryGetValue(segment.File, out var open) ? open.ToArray() : throw new FileNotFoundException(segment.File);
            var start = (int)Math.Min(offset, bytes.Length);
            var count = Math.Min(length ?? int.MaxValue, bytes.Length - start);
            return Task.FromResult<ReadOnlyMemory<byte>>(bytes.AsSpan(start, count).ToArray());
        }
    }

    public Task<LogCheckpoint?> ReadCheckpointAsync(string incarnation, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(LogOf(incarnation).Checkpoint is { } text ? LogCheckpoint.Parse(text) : null);
        }
    }

    public Task WriteCheckpointAsync(string incarnation, LogCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            LogOf(incarnation).Checkpoint = checkpoint.Format(incarnation);
            return Task.CompletedTask;
        }
    }

    public Task MarkClosedAsync(string incarnation, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            LogOf(incarnation).Closed = true;
            return Task.CompletedTask;
        }
    }

    public Task WriteErasureAsync(Erasure erasure, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _erasures[erasure.Shopper] = erasure.ErasedAt;
            return Task.CompletedTask;
        }
    }

    public Task<DateTimeOffset?> ReadErasureAsync(string shopper, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_erasures.TryGetValue(shopper, out var at) ? at : (DateTimeOffset?)null);
        }
    }

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyDictionary<string, DateTimeOffset>>(new Dictionary<string, DateTimeOffset>(_erasures, StringComparer.Ordinal));
        }
    }

    public ISealedSegmentBuilder BeginSealing(string incarnation, string file) => new SealedBuilder(this, incarnation, file);

    public Task<long> OpenSegmentLengthAsync(string incarnation, string file, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(LogOf(incarnation).Open[file].Length);
        }
    }

    public Task ReadOpenSegmentAsync(string incarnation, string file, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            LogOf(incarnation).Open[file].GetBuffer().AsSpan((int)offset, buffer.Length).CopyTo(buffer.Span);
            return Task.CompletedTask;
        }
    }

    public Task DeleteOpenSegmentAsync(string incarnation, string file, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            LogOf(incarnation).Open.Remove(file);
            return Task.CompletedTask;
        }
    }

    private Log LogOf(string incarnation)
    {
        if (!_logs.TryGetValue(incarnation, out var log))
        {
            _logs[incarnation] = log = new Log();
        }

        return log;
    }

    private static List<StoredSegment> SegmentsOf(Log log) =>
    [
        .. log.Open.Keys.Union(log.Sealed.Keys).Order(StringComparer.Ordinal).Select(file => log.Sealed.TryGetValue(file, out var sealedBytes)
            ? new StoredSegment(file, true, sealedBytes.Length)
            : new StoredSegment(file, false, log.Open[file].Length)),
    ];

    private sealed class Log
    {
        public Dictionary<string, MemoryStream> Open { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, byte[]> Sealed { get; } = new(StringComparer.Ordinal);

        public string? Checkpoint { get; set; }

        public bool Closed { get; set; }
    }

    private sealed class Appender(InMemoryEventLogStore store, string incarnation, string file) : ISegmentAppender
    {
        public string File => file;

        public Task AppendBlockAsync(Stream block, CancellationToken cancellationToken)
        {
            lock (store._lock)
            {
                var segment = store.LogOf(incarnation).Open[file];
                segment.Seek(0, SeekOrigin.End);
                block.CopyTo(segment);
                return Task.CompletedTask;
            }
        }
    }

    private sealed class SealedBuilder(InMemoryEventLogStore store, string incarnation, string file) : ISealedSegmentBuilder
    {
        private readonly MemoryStream _staged = new();

        /// <summary>As many as a block blob takes.</summary>
        public int MaxChunks => 50_000;

        public Task StageAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            _staged.Write(chunk.Span);
            return Task.CompletedTask;
        }

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            lock (store._lock)
            {
                store.LogOf(incarnation).Sealed[file] = _staged.ToArray();
                return Task.CompletedTask;
            }
        }
    }
}
