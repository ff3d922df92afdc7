using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Marketing.Grains.Events;
using Microsoft.Extensions.Options;
using Microsoft.IO;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The durable event log in Azure append blobs. Each silo incarnation writes its own segments under
/// <c>{incarnation}/segments/</c>; concurrent appends from all grains on the silo are group-committed as one block,
/// and every caller's task completes only after the block is stored. A checkpoint blob says how far grain state has
/// caught up, and where in which segment the first block that may hold later records starts, so recovery reads only
/// the tail rather than whole segments of up to <see cref="EventLogOptions.MaxSegmentBytes"/>; a <c>closed</c>
/// marker says nothing in this incarnation's log still needs replaying.
/// </summary>
public sealed partial class AppendBlobEventLog : IEventLog, IEventLogReader, IAsyncDisposable
{
    private const string ErasurePrefix = "erasures/";
    private const string ErasedAtKey = "erasedat";
    private const string SegmentsFolder = "segments/";
    private const string SealedFolder = "sealed/";

    public const string MeterName = "Marketing.EventLog";

    private const int MaxBlocksPerBlob = 50_000;

    // Each append's lines are written into pooled 4 KiB blocks (one holds a batch of ten events) and handed back once
    // copied into a log block; at most 1 MiB of idle blocks are kept (at 5,000 events a second about ten are in use).
    private static readonly RecyclableMemoryStreamManager Buffers = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 4 * 1024,
        MaximumSmallPoolFreeBytes = 1024 * 1024,
        MaximumLargePoolFreeBytes = 1024 * 1024,
    });

    private readonly BlobContainerClient _container;
    private readonly EventLogOptions _options;
    private readonly ILogger<AppendBlobEventLog> _logger;
    private readonly Channel<PendingAppend> _queue = Channel.CreateUnbounded<PendingAppend>(new() { SingleReader = true });
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _writer;
    private AppendBlobClient? _segment;
    private int _segmentNumber;
    private int _segmentBlocks;
    private long _segmentBytes;

    // Stored blocks, oldest first, for the checkpoint to find where the tail starts; pruned as checkpoints advance.
    private readonly Lock _blocksLock = new();
    private readonly Queue<StoredBlock> _blocks = new();
    private long _prunedThroughTicks = long.MinValue;

    // Segments being copied into block blobs after rolling over; awaited on shutdown.
    private readonly List<Task> _sealing = [];

    private readonly Histogram<double> _blockDuration;
    private readonly Histogram<int> _blockAppends;
    private readonly Histogram<double> _appendWait;

    public AppendBlobEventLog(BlobServiceClient blobs, IOptions<EventLogOptions> options, IMeterFactory meters, ILogger<AppendBlobEventLog> logger)
    {
        _options = options.Value;
        _container = blobs.GetBlobContainerClient(_options.Container);
        _logger = logger;
        var meter = meters.Create(MeterName);
        _blockDuration = meter.CreateHistogram<double>("marketing.eventlog.block.duration", "ms", "Time storage took to append one group-committed block.");
        _blockAppends = meter.CreateHistogram<int>("marketing.eventlog.block.appends", "{append}", "Grain appends group-committed in one block.");
        _appendWait = meter.CreateHistogram<double>("marketing.eventlog.append.duration", "ms", "Time from a grain's append to its block being stored.");
    }

    /// <summary>This silo incarnation's folder in the log (set at start from the silo address).</summary>
    public string Incarnation { get; private set; } = "";

    public async Task StartAsync(string incarnation, CancellationToken cancellationToken)
    {
        Incarnation = incarnation;
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        _started.TrySetResult();
        LogStarted(incarnation, _container.Uri);
    }

    public async Task AppendAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken = default)
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

    public async Task RecordErasureAsync(Erasure erasure, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(ErasurePrefix + erasure.Shopper);
        await blob.UploadAsync(
            BinaryData.FromString(erasure.ErasedAt.ToString("O", CultureInfo.InvariantCulture)),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { [ErasedAtKey] = erasure.ErasedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) } },
            cancellationToken);
    }

    public async Task<DateTimeOffset?> ErasedAtAsync(string shopper, CancellationToken cancellationToken = default)
    {
        try
        {
            var properties = await _container.GetBlobClient(ErasurePrefix + shopper).GetPropertiesAsync(cancellationToken: cancellationToken);
            return ErasedAt(properties.Value.Metadata);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken = default)
    {
        var erasures = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, ErasurePrefix, cancellationToken))
        {
            if (ErasedAt(item.Metadata) is { } erasedAt)
            {
                erasures[item.Name[ErasurePrefix.Length..]] = erasedAt;
            }
        }

        return erasures;
    }

    public async IAsyncEnumerable<LoggedEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var erasures = await ReadErasuresAsync(cancellationToken);
        foreach (var incarnation in await ListIncarnationsAsync(openOnly: false, cancellationToken))
        {
            await foreach (var record in ReadSegmentsAsync(incarnation, new Checkpoint(DateTimeOffset.MinValue, null, 0), new StrongBox<long>(), cancellationToken))
            {
                if (!record.IsErasedBy(erasures))
                {
                    yield return record;
                }
            }
        }
    }

    /// <summary>Incarnations with a log; with <paramref name="openOnly"/>, those not yet marked closed.</summary>
    public async Task<IReadOnlyList<string>> ListIncarnationsAsync(bool openOnly, CancellationToken cancellationToken)
    {
        var withSegments = new SortedSet<string>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix: null, cancellationToken))
        {
            if (item.Name.StartsWith(ErasurePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var slash = item.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0)
            {
                continue;
            }

            var incarnation = item.Name[..slash];
            if (item.Name.AsSpan(slash + 1).StartsWith(SegmentsFolder, StringComparison.Ordinal)
                || item.Name.AsSpan(slash + 1).StartsWith(SealedFolder, StringComparison.Ordinal))
            {
                withSegments.Add(incarnation);
            }
            else if (item.Name.AsSpan(slash + 1).SequenceEqual("closed"))
            {
                closed.Add(incarnation);
            }
        }

        return [.. withSegments.Where(i => !openOnly || !closed.Contains(i))];
    }

    /// <summary>The records of an incarnation logged at or after its checkpoint: what its grain state may lack.</summary>
    /// <returns>The records, and how many bytes of log were downloaded for them.</returns>
    public async Task<(List<LoggedEvent> Records, long BytesRead)> ReadTailAsync(string incarnation, CancellationToken cancellationToken)
    {
        var checkpoint = await ReadCheckpointAsync(incarnation, cancellationToken);
        var tail = new List<LoggedEvent>();
        var bytesRead = new StrongBox<long>();
        await foreach (var record in ReadSegmentsAsync(incarnation, checkpoint, bytesRead, cancellationToken))
        {
            if (record.LoggedAt >= checkpoint.ReflectedThrough)
            {
                tail.Add(record);
            }
        }

        return (tail, bytesRead.Value);
    }

    public async Task WriteCheckpointAsync(DateTimeOffset reflectedThrough, CancellationToken cancellationToken)
    {
        // "{ticks}" alone, or "{ticks} {segment} {offset}": the first stored block that may hold a record logged at
        // or after the checkpoint. Without an offset a reader takes every segment that may overlap the tail.
        var content = reflectedThrough.UtcTicks.ToString(CultureInfo.InvariantCulture);
        if (reflectedThrough != DateTimeOffset.MaxValue && TailStart(reflectedThrough.UtcTicks) is var (segment, offset))
        {
            content += string.Create(CultureInfo.InvariantCulture, $" {segment} {offset}");
        }

        await _container.GetBlobClient($"{Incarnation}/checkpoint").UploadAsync(BinaryData.FromString(content), overwrite: true, cancellationToken);
    }

    /// <summary>
    /// Where the tail from <paramref name="ticks"/> starts: the first stored block whose latest record is that late,
    /// else the end of the current segment. Blocks before it are dropped: checkpoints only move forward. Null when a
    /// dropped block could hold such a record (the checkpoint went back) or nothing was stored yet.
    /// </summary>
    private (string Segment, long Offset)? TailStart(long ticks)
    {
        lock (_blocksLock)
        {
            if (ticks <= _prunedThroughTicks)
            {
                return null;
            }

            while (_blocks.TryPeek(out var oldest) && oldest.LatestTicks < ticks)
            {
                _prunedThroughTicks = Math.Max(_prunedThroughTicks, oldest.LatestTicks);
                _blocks.Dequeue();
            }

            if (_blocks.TryPeek(out var first))
            {
                return (first.Segment, first.Offset);
            }

            return _segment is null ? null : (_segment.Name, _segmentBytes);
        }
    }

    public async Task MarkClosedAsync(string incarnation, CancellationToken cancellationToken)
    {
        await _container.GetBlobClient($"{incarnation}/closed").UploadAsync(BinaryData.FromString("closed"), overwrite: true, cancellationToken);
    }

    /// <summary>Stops taking appends and waits for those already taken to be stored.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }

        Task[] sealing;
        lock (_sealing)
        {
            sealing = [.. _sealing];
        }

        await Task.WhenAll(sealing);
    }

    private async Task<Checkpoint> ReadCheckpointAsync(string incarnation, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient($"{incarnation}/checkpoint").DownloadContentAsync(cancellationToken);
            var parts = content.Value.Content.ToString().Split(' ');
            var reflectedThrough = new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero);
            return parts.Length == 3 && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var offset)
                ? new Checkpoint(reflectedThrough, parts[1], offset)
                : new Checkpoint(reflectedThrough, null, 0);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new Checkpoint(DateTimeOffset.MinValue, null, 0);
        }
    }

    private async IAsyncEnumerable<LoggedEvent> ReadSegmentsAsync(
        string incarnation, Checkpoint checkpoint, StrongBox<long> bytesRead, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = checkpoint.ReflectedThrough;

        // A segment is an append blob under segments/ until it is sealed into a block blob of the same file name
        // under sealed/ (identical bytes, so offsets hold); while both exist, either will do.
        var byFile = new SortedDictionary<string, (string Name, bool Sealed)>(StringComparer.Ordinal);
        foreach (var folder in new[] { SegmentsFolder, SealedFolder })
        {
            await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{incarnation}/{folder}", cancellationToken))
            {
                var file = FileName(item.Name);
                if (!byFile.TryGetValue(file, out var listed) || !listed.Sealed)
                {
                    byFile[file] = (item.Name, folder == SealedFolder);
                }
            }
        }

        var segments = byFile.Select(s => (File: s.Key, s.Value.Name, s.Value.Sealed, StartedAt: SegmentStart(s.Key))).ToList();
        var startAt = checkpoint.Segment is { } known && byFile.ContainsKey(FileName(known)) ? FileName(known) : null;
        for (var i = 0; i < segments.Count; i++)
        {
            // Before the checkpoint's segment, or a segment that ended (the next one started) before the checkpoint:
            // nothing of the tail.
            if ((startAt is not null && string.CompareOrdinal(segments[i].File, startAt) < 0)
                || (i + 1 < segments.Count && segments[i + 1].StartedAt < from))
            {
                continue;
            }

            // Blocks hold whole lines, so a read from a block's start parses like a whole segment.
            var options = segments[i].File == startAt && checkpoint.Offset > 0
                ? new BlobDownloadOptions { Range = new HttpRange(checkpoint.Offset) }
                : null;
            BlobDownloadResult content;
            try
            {
                content = (await _container.GetBlobClient(segments[i].Name).DownloadContentAsync(options, cancellationToken)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && !segments[i].Sealed)
            {
                // Sealed and deleted since the listing.
                content = (await _container.GetBlobClient(SealedName(incarnation, segments[i].File)).DownloadContentAsync(options, cancellationToken)).Value;
            }

            bytesRead.Value += content.Content.ToMemory().Length;
            foreach (var record in EventLogJson.ReadLines(content.Content.ToMemory()))
            {
                yield return record;
            }
        }
    }

    private static DateTimeOffset? ErasedAt(IDictionary<string, string> metadata) =>
        metadata.TryGetValue(ErasedAtKey, out var ticks) && long.TryParse(ticks, CultureInfo.InvariantCulture, out var t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;

    /// <summary>Where segment file <paramref name="file"/> of an incarnation lives once sealed.</summary>
    private static string SealedName(string incarnation, string file) => $"{incarnation}/{SealedFolder}{file}";

    private static string FileName(string name) => name[(name.LastIndexOf('/') + 1)..];

    private static DateTimeOffset SegmentStart(string name)
    {
        var file = FileName(name);
        var dash = file.IndexOf('-', StringComparison.Ordinal);
        var dot = file.LastIndexOf('.');
        return dash > 0 && dot > dash && long.TryParse(file.AsSpan(dash + 1, dot - dash - 1), CultureInfo.InvariantCulture, out var ticks)
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : DateTimeOffset.MinValue;
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
            var name = $"{Incarnation}/{SegmentsFolder}{_segmentNumber:D6}-{DateTimeOffset.UtcNow.UtcTicks}.log";
            var segment = _container.GetAppendBlobClient(name);
            await segment.CreateIfNotExistsAsync();
            if (_segment is { } full && _options.SealClosedSegments)
            {
                StartSealing(full);
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
        await _segment.AppendBlockAsync(block);
        _segmentBlocks++;
        lock (_blocksLock)
        {
            _blocks.Enqueue(new StoredBlock(_segment.Name, offset, latestTicks));
            _segmentBytes = offset + block.Length;
        }
    }

    private void StartSealing(AppendBlobClient segment)
    {
        var task = Task.Run(() => SealAsync(segment));
        lock (_sealing)
        {
            _sealing.RemoveAll(t => t.IsCompleted);
            _sealing.Add(task);
        }
    }

    /// <summary>
    /// Copies a rolled-over segment into one block blob under <c>sealed/</c>, then deletes the append blob. Until the
    /// copy is stored the append blob is the segment, so a crash at any point loses nothing; a failure leaves it be.
    /// </summary>
    private async Task SealAsync(AppendBlobClient segment)
    {
        try
        {
            // In chunks through one buffer: a whole segment (up to MaxSegmentBytes) in memory at once, growing as it
            // downloads, cost every grain on the silo full collections. The buffer is not pooled: a seal every few
            // minutes should not keep 4 MiB for good.
            var length = (await segment.GetPropertiesAsync()).Value.ContentLength;
            var sealedBlob = _container.GetBlockBlobClient(SealedName(Incarnation, FileName(segment.Name)));
            var blockIds = new List<string>();
            // A block blob takes at most 50,000 blocks, so a small chunk setting grows to fit a large segment.
            var chunkBytes = (int)Math.Max(_options.SealChunkBytes, (length + MaxBlocksPerBlob - 1) / MaxBlocksPerBlob);
            var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(chunkBytes, length));
            for (long offset = 0; offset < length; offset += chunkBytes)
            {
                var size = (int)Math.Min(chunkBytes, length - offset);
                var download = await segment.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset, size) });
                await using (var content = download.Value.Content)
                {
                    await content.ReadExactlyAsync(buffer.AsMemory(0, size));
                }

                var blockId = Convert.ToBase64String(BitConverter.GetBytes(blockIds.Count));
                using var chunk = new MemoryStream(buffer, 0, size, writable: false);
                await sealedBlob.StageBlockAsync(blockId, chunk);
                blockIds.Add(blockId);
            }

            await sealedBlob.CommitBlockListAsync(blockIds);
            await segment.DeleteIfExistsAsync();
            LogSealed(segment.Name, length);
        }
        catch (Exception ex)
        {
            LogSealFailed(ex, segment.Name);
        }
    }

    private readonly record struct StoredBlock(string Segment, long Offset, long LatestTicks);

    private readonly record struct Checkpoint(DateTimeOffset ReflectedThrough, string? Segment, long Offset);

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log for incarnation {Incarnation} writing to {Container}")]
    private partial void LogStarted(string incarnation, Uri container);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event-log segment {Segment} sealed into a block blob ({Bytes} bytes)")]
    private partial void LogSealed(string segment, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event-log segment {Segment} could not be sealed; it stays an append blob")]
    private partial void LogSealFailed(Exception ex, string segment);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending {Count} pending batches to the event log failed; their callers see the error")]
    private partial void LogAppendFailed(Exception ex, int count);
}
