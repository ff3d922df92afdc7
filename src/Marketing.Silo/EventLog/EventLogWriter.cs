using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Marketing.Grains.Events;
using Microsoft.IO;

namespace Marketing.Silo.EventLog;

/// <summary>
/// Appends this silo incarnation's records to its segments. Concurrent appends from all grains on the silo are
/// group-committed as one block, and every caller's task completes only after the block is stored; a segment rolls
/// over to the next after <see cref="EventLogOptions.MaxBlocksPerSegment"/> blocks or
/// <see cref="EventLogOptions.MaxSegmentBytes"/>. It remembers where its blocks start, so a checkpoint can name where
/// the tail after it begins.
/// </summary>
public sealed partial class EventLogWriter : IAsyncDisposable
{
    // Each append's lines are written into pooled 4 KiB blocks (one holds a batch of ten events) and handed back once
    // copied into a log block; at most 1 MiB of idle blocks are kept (at 5,000 events a second about ten are in use).
    private static readonly RecyclableMemoryStreamManager Buffers = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 4 * 1024,
        MaximumSmallPoolFreeBytes = 1024 * 1024,
        MaximumLargePoolFreeBytes = 1024 * 1024,
    });

    private readonly IEventLogStore _store;
    private readonly EventLogOptions _options;
    private readonly SegmentSealer? _sealer;
    private readonly ILogger<EventLogWriter> _logger;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writer;
    private string _incarnation = "";
    private ISegmentAppender? _segment;
    private int _segmentNumber;
    private int _segmentBlocks;
    private long _segmentBytes;

    // Stored blocks, oldest first, for the checkpoint to find where the tail starts; pruned as checkpoints advance.
    private readonly Lock _blocksLock = new();
    private readonly Queue<StoredBlock> _blocks = new();
    private long _prunedThroughTicks = long.MinValue;

    private readonly Histogram<double> _blockDuration;
    private readonly Histogram<int> _blockAppends;
    private readonly Histogram<double> _appendWait;

    // The sealer, when there is one, gets every segment rolled over from; without one they stay open.
    public EventLogWriter(IEventLogStore store, EventLogOptions options, SegmentSealer? sealer, Meter meter, ILogger<EventLogWriter> logger)
    {
        _store = store;
        _options = options;
        _sealer = sealer;
        _logger = logger;
        _blockDuration = meter.CreateHistogram<double>("marketing.eventlog.block.duration", "ms", "Time storage took to append one group-committed block.");
        _blockAppends = meter.CreateHistogram<int>("marketing.eventlog.block.appends", "{append}", "Grain appends group-committed in one block.");
        _appendWait = meter.CreateHistogram<double>("marketing.eventlog.append.duration", "ms", "Time from a grain's append to its block being stored.");
    }

    /// <summary>Starts taking appends (those made before wait for this) for <paramref name="incarnation"/>.</summary>
    public void Start(string incarnation)
    {
        _incarnation = incarnation;
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        _started.TrySetResult();
    }

    public async Task AppendAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        await _started.Task.WaitAsync(cancellationToken);
        var buffer = Buffers.GetStream(nameof(AppendAsync));
        var latest = long.MinValue;
        try
        {
            foreach (var record in records)
            {
                EventLogJson.WriteLine(record, buffer);
                latest = Math.Max(latest, record.LoggedAt.UtcTicks);
            }
        }
        catch
        {
            buffer.Dispose();
            throw;
        }

        var pending = new PendingAppend(buffer, latest);
        if (!_queue.Writer.TryWrite(pending))
        {
            buffer.Dispose();
            throw new InvalidOperationException("The event log is closed; this silo is shutting down.");
        }

        var queuedAt = Stopwatch.GetTimestamp();
        await pending.Done.Task.WaitAsync(cancellationToken);
        _appendWait.Record(Stopwatch.GetElapsedTime(queuedAt).TotalMilliseconds);
    }

    /// <summary>
    /// The checkpoint for <paramref name="reflectedThrough"/>: with the first stored block whose latest record is that
    /// late, else the end of the current segment. Blocks before it are dropped: checkpoints only move forward. Without
    /// a segment when a dropped block could hold such a record (the checkpoint went back) or nothing was stored yet.
    /// </summary>
    public LogCheckpoint CheckpointAt(DateTimeOffset reflectedThrough)
    {
        var ticks = reflectedThrough.UtcTicks;
        lock (_blocksLock)
        {
            if (reflectedThrough == DateTimeOffset.MaxValue || ticks <= _prunedThroughTicks)
            {
                return new LogCheckpoint(reflectedThrough, null, 0);
            }

            while (_blocks.TryPeek(out var oldest) && oldest.LatestTicks < ticks)
            {
                _prunedThroughTicks = Math.Max(_prunedThroughTicks, oldest.LatestTicks);
                _blocks.Dequeue();
            }

            if (_blocks.TryPeek(out var first))
            {
                return new LogCheckpoint(reflectedThrough, first.Segment, first.Offset);
            }

            return _segment is null ? new LogCheckpoint(reflectedThrough, null, 0) : new LogCheckpoint(reflectedThrough, _segment.File, _segmentBytes);
        }
    }

    /// <summary>Stops taking appends and waits for those already taken to be stored.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>();
        var block = new MemoryStream();
        while (await reader.WaitToReadAsync())
        {
            // Group commit: everything queued while the previous block was being stored goes into this one.
            batch.Clear();
            block.SetLength(0);
            while (block.Length < _options.MaxBlockBytes && reader.TryPeek(out var next)
                && (batch.Count == 0 || block.Length + next.Length <= _options.MaxBlockBytes))
            {
                reader.TryRead(out next);
                batch.Add(next!);
                next!.CopyTo(block);
            }

            try
            {
                var started = Stopwatch.GetTimestamp();
                await AppendBlockAsync(block, batch.Max(p => p.LatestTicks));
                _blockDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                _blockAppends.Record(batch.Count);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                LogAppendFailed(ex, batch.Count);

                // Start a fresh segment: after a failed append we cannot be sure what the old one holds.
                lock (_blocksLock)
                {
                    _segment = null;
                }
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task AppendBlockAsync(MemoryStream block, long latestTicks)
    {
        if (_segment is null || _segmentBlocks >= _options.MaxBlocksPerSegment || _segmentBytes >= _options.MaxSegmentBytes)
        {
            _segmentNumber++;
            var segment = await _store.CreateSegmentAsync(_incarnation, EventLogLayout.SegmentFile(_segmentNumber, DateTimeOffset.UtcNow), CancellationToken.None);
            if (_segment is { } full)
            {
                _sealer?.Start(_incarnation, full.File);
            }

            lock (_blocksLock)
            {
                // Together, so a checkpoint never pairs the new segment with the old one's length.
                _segment = segment;
                _segmentBytes = 0;
            }

            _segmentBlocks = 0;
        }

        block.Position = 0;
        var offset = _segmentBytes;
        await _segment.AppendBlockAsync(block, CancellationToken.None);
        _segmentBlocks++;
        lock (_blocksLock)
        {
            _blocks.Enqueue(new StoredBlock(_segment.File, offset, latestTicks));
            _segmentBytes = offset + block.Length;
        }
    }

    private readonly record struct StoredBlock(string Segment, long Offset, long LatestTicks);

    private sealed class PendingAppend(RecyclableMemoryStream payload, long latestTicks)
    {
        public long Length => payload.Length;

        /// <summary>Appends the lines to <paramref name="block"/> and hands their pooled memory back.</summary>
        public void CopyTo(MemoryStream block)
        {
            foreach (var chunk in payload.GetReadOnlySequence())
            {
                block.Write(chunk.Span);
            }

            payload.Dispose();
        }

        /// <summary>The latest <see cref="LoggedEvent.LoggedAt"/> among its records.</summary>
        public long LatestTicks { get; } = latestTicks;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending {Count} pending batches to the event log failed; their callers see the error")]
    private partial void LogAppendFailed(Exception ex, int count);
}
