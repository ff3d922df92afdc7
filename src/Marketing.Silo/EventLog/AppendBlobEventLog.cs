using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Marketing.Grains.Events;
using Microsoft.Extensions.Options;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The durable event log in Azure append blobs. Each silo incarnation writes its own segments under
/// <c>{incarnation}/segments/</c>; concurrent appends from all grains on the silo are group-committed as one block,
/// and every caller's task completes only after the block is stored. A checkpoint blob says how far grain state has
/// caught up; a <c>closed</c> marker says nothing in this incarnation's log still needs replaying.
/// </summary>
public sealed partial class AppendBlobEventLog : IEventLog, IEventLogReader, IAsyncDisposable
{
    private const string ErasurePrefix = "erasures/";
    private const string ErasedAtKey = "erasedat";

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

    public AppendBlobEventLog(BlobServiceClient blobs, IOptions<EventLogOptions> options, ILogger<AppendBlobEventLog> logger)
    {
        _options = options.Value;
        _container = blobs.GetBlobContainerClient(_options.Container);
        _logger = logger;
    }

    /// <summary>This silo incarnation's folder in the log (set at start from the silo address).</summary>
    public string Incarnation { get; private set; } = "";

    public async Task StartAsync(string incarnation, CancellationToken cancellationToken)
    {
        Incarnation = incarnation;
        await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
        _started.TrySetResult();
        LogStarted(incarnation, _container.Name);
    }

    public async Task AppendAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken = default)
    {
        var buffer = new MemoryStream(records.Count * 256);
        foreach (var record in records)
        {
            EventLogJson.WriteLine(record, buffer);
        }

        await _started.Task.WaitAsync(cancellationToken);
        var pending = new PendingAppend(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The event log is closed; this silo is shutting down.");
        }

        await pending.Done.Task.WaitAsync(cancellationToken);
    }

    public async Task RecordErasureAsync(Erasure erasure, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(ErasurePrefix + erasure.Shopper);
        await blob.UploadAsync(
            BinaryData.FromString(erasure.ErasedAt.ToString("O", CultureInfo.InvariantCulture)),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { [ErasedAtKey] = erasure.ErasedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) } },
            cancellationToken);
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken = default)
    {
        var erasures = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, ErasurePrefix, cancellationToken))
        {
            if (item.Metadata.TryGetValue(ErasedAtKey, out var ticks) && long.TryParse(ticks, CultureInfo.InvariantCulture, out var t))
            {
                erasures[item.Name[ErasurePrefix.Length..]] = new DateTimeOffset(t, TimeSpan.Zero);
            }
        }

        return erasures;
    }

    public async IAsyncEnumerable<LoggedEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var erasures = await ReadErasuresAsync(cancellationToken);
        foreach (var incarnation in await ListIncarnationsAsync(openOnly: false, cancellationToken))
        {
            await foreach (var record in ReadSegmentsAsync(incarnation, DateTimeOffset.MinValue, cancellationToken))
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
            if (item.Name.AsSpan(slash + 1).StartsWith("segments/", StringComparison.Ordinal))
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
    public async Task<List<LoggedEvent>> ReadTailAsync(string incarnation, CancellationToken cancellationToken)
    {
        var checkpoint = await ReadCheckpointAsync(incarnation, cancellationToken);
        var tail = new List<LoggedEvent>();
        await foreach (var record in ReadSegmentsAsync(incarnation, checkpoint, cancellationToken))
        {
            if (record.LoggedAt >= checkpoint)
            {
                tail.Add(record);
            }
        }

        return tail;
    }

    public async Task WriteCheckpointAsync(DateTimeOffset reflectedThrough, CancellationToken cancellationToken)
    {
        await _container.GetBlobClient($"{Incarnation}/checkpoint").UploadAsync(
            BinaryData.FromString(reflectedThrough.UtcTicks.ToString(CultureInfo.InvariantCulture)),
            overwrite: true,
            cancellationToken);
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
    }

    private async Task<DateTimeOffset> ReadCheckpointAsync(string incarnation, CancellationToken cancellationToken)
    {
        try
        {
            var content = await _container.GetBlobClient($"{incarnation}/checkpoint").DownloadContentAsync(cancellationToken);
            return new DateTimeOffset(long.Parse(content.Value.Content.ToString(), CultureInfo.InvariantCulture), TimeSpan.Zero);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return DateTimeOffset.MinValue;
        }
    }

    private async IAsyncEnumerable<LoggedEvent> ReadSegmentsAsync(
        string incarnation, DateTimeOffset from, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var segments = new List<(string Name, DateTimeOffset StartedAt)>();
        await foreach (var item in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"{incarnation}/segments/", cancellationToken))
        {
            segments.Add((item.Name, SegmentStart(item.Name)));
        }

        segments.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 0; i < segments.Count; i++)
        {
            // A segment that ended (the next one started) before the checkpoint holds nothing of the tail.
            if (i + 1 < segments.Count && segments[i + 1].StartedAt < from)
            {
                continue;
            }

            var content = await _container.GetBlobClient(segments[i].Name).DownloadContentAsync(cancellationToken);
            foreach (var record in EventLogJson.ReadLines(content.Value.Content.ToMemory()))
            {
                yield return record;
            }
        }
    }

    private static DateTimeOffset SegmentStart(string name)
    {
        var file = name[(name.LastIndexOf('/') + 1)..];
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
                && (batch.Count == 0 || block.Length + next.Payload.Length <= _options.MaxBlockBytes))
            {
                reader.TryRead(out next);
                batch.Add(next!);
                block.Write(next!.Payload.Span);
            }

            try
            {
                await AppendBlockAsync(block);
                foreach (var pending in batch)
                {
                    pending.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                LogAppendFailed(ex, batch.Count);

                // Start a fresh segment: after a failed append we cannot be sure what the old one holds.
                _segment = null;
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task AppendBlockAsync(MemoryStream block)
    {
        if (_segment is null || _segmentBlocks >= _options.MaxBlocksPerSegment || _segmentBytes >= _options.MaxSegmentBytes)
        {
            _segmentNumber++;
            var name = $"{Incarnation}/segments/{_segmentNumber:D6}-{DateTimeOffset.UtcNow.UtcTicks}.log";
            _segment = _container.GetAppendBlobClient(name);
            await _segment.CreateIfNotExistsAsync();
            _segmentBlocks = 0;
            _segmentBytes = 0;
        }

        block.Position = 0;
        await _segment.AppendBlockAsync(block);
        _segmentBlocks++;
        _segmentBytes += block.Length;
    }

    private sealed class PendingAppend(ReadOnlyMemory<byte> payload)
    {
        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log for incarnation {Incarnation} writing to container {Container}")]
    private partial void LogStarted(string incarnation, string container);

    [LoggerMessage(Level = LogLevel.Error, Message = "Appending {Count} pending batches to the event log failed; their callers see the error")]
    private partial void LogAppendFailed(Exception ex, int count);
}
