using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Marketing.Grains.Events;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The log in one Azure blob container (<see cref="EventLogLayout"/> names the blobs): open segments are append
/// blobs, whose blocks are atomic, sealed ones block blobs, and an erasure is a blob whose metadata holds its time.
/// </summary>
public sealed class AzureBlobEventLogStore(BlobContainerClient container) : IEventLogStore
{
    private const string ErasedAtKey = "erasedat";

    /// <summary>A block blob takes at most 50,000 blocks.</summary>
    private const int MaxBlocksPerBlob = 50_000;

    public string Location => container.Uri.ToString();

    public async Task InitializeAsync(CancellationToken cancellationToken) =>
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

    public async Task<ISegmentAppender> CreateSegmentAsync(string incarnation, string file, CancellationToken cancellationToken)
    {
        var segment = container.GetAppendBlobClient(EventLogLayout.SegmentName(incarnation, file));
        await segment.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        return new Appender(segment, file);
    }

    public async Task<IReadOnlyList<StoredLog>> ListLogsAsync(string? incarnation, CancellationToken cancellationToken)
    {
        // One listing of the container (or of the incarnation's folder) gives every segment with its length.
        var logs = new SortedDictionary<string, (bool Closed, SortedDictionary<string, StoredSegment> Segments)>(StringComparer.Ordinal);
        await foreach (var item in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, incarnation is null ? null : incarnation + "/", cancellationToken))
        {
            var slash = item.Name.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || item.Name.StartsWith(EventLogLayout.ErasurePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = item.Name[..slash];
            var rest = item.Name.AsSpan(slash + 1);
            var isOpen = rest.StartsWith(EventLogLayout.SegmentsFolder, StringComparison.Ordinal);
            var isSealed = rest.StartsWith(EventLogLayout.SealedFolder, StringComparison.Ordinal);
            var isClosed = rest.SequenceEqual(EventLogLayout.Closed);
            if (!isOpen && !isSealed && !isClosed)
            {
                continue;
            }

            if (!logs.TryGetValue(name, out var log))
            {
                logs[name] = log = (false, new SortedDictionary<string, StoredSegment>(StringComparer.Ordinal));
            }

            if (isClosed)
            {
                logs[name] = log with { Closed = true };
                continue;
            }

            // While a segment is both open and sealed either will do; the sealed copy's length is final.
            var file = EventLogLayout.FileName(item.Name);
            if (isSealed || !log.Segments.ContainsKey(file))
            {
                log.Segments[file] = new StoredSegment(file, isSealed, item.Properties.ContentLength ?? 0);
            }
        }

        // A closed marker alone is not a log.
        return [.. logs.Where(l => l.Value.Segments.Count > 0).Select(l => new StoredLog(l.Key, l.Value.Closed, [.. l.Value.Segments.Values]))];
    }

    public async Task<ReadOnlyMemory<byte>> ReadSegmentAsync(
        string incarnation, StoredSegment segment, long offset, int? length, CancellationToken cancellationToken)
    {
        var options = offset == 0 && length is null
            ? null
            : new BlobDownloadOptions { Range = length is { } l ? new HttpRange(offset, l) : new HttpRange(offset) };
        var name = segment.Sealed ? EventLogLayout.SealedName(incarnation, segment.File) : EventLogLayout.SegmentName(incarnation, segment.File);
        try
        {
            try
            {
                return (await container.GetBlobClient(name).DownloadContentAsync(options, cancellationToken)).Value.Content.ToMemory();
            }
            catch (RequestFailedException ex) when (ex.Status == 404 && !segment.Sealed)
            {
                // Sealed and deleted since the listing.
                var sealedName = EventLogLayout.SealedName(incarnation, segment.File);
                return (await container.GetBlobClient(sealedName).DownloadContentAsync(options, cancellationToken)).Value.Content.ToMemory();
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            // Nothing at or past the end.
            return ReadOnlyMemory<byte>.Empty;
        }
    }

    public async Task<LogCheckpoint?> ReadCheckpointAsync(string incarnation, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient($"{incarnation}/{EventLogLayout.Checkpoint}").DownloadContentAsync(cancellationToken);
            return LogCheckpoint.Parse(content.Value.Content.ToString());
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task WriteCheckpointAsync(string incarnation, LogCheckpoint checkpoint, CancellationToken cancellationToken) =>
        await container.GetBlobClient($"{incarnation}/{EventLogLayout.Checkpoint}")
            .UploadAsync(BinaryData.FromString(checkpoint.Format(incarnation)), overwrite: true, cancellationToken);

    public async Task MarkClosedAsync(string incarnation, CancellationToken cancellationToken) =>
        await container.GetBlobClient($"{incarnation}/{EventLogLayout.Closed}")
            .UploadAsync(BinaryData.FromString("closed"), overwrite: true, cancellationToken);

    public async Task WriteErasureAsync(Erasure erasure, CancellationToken cancellationToken) =>
        await container.GetBlobClient(EventLogLayout.ErasurePrefix + erasure.Shopper).UploadAsync(
            BinaryData.FromString(erasure.ErasedAt.ToString("O", CultureInfo.InvariantCulture)),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { [ErasedAtKey] = erasure.ErasedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) } },
            cancellationToken);

    public async Task<DateTimeOffset?> ReadErasureAsync(string shopper, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await container.GetBlobClient(EventLogLayout.ErasurePrefix + shopper).GetPropertiesAsync(cancellationToken: cancellationToken);
            return ErasedAt(properties.Value.Metadata);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken)
    {
        var erasures = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, EventLogLayout.ErasurePrefix, cancellationToken))
        {
            if (ErasedAt(item.Metadata) is { } erasedAt)
            {
                erasures[item.Name[EventLogLayout.ErasurePrefix.Length..]] = erasedAt;
            }
        }

        return erasures;
    }

    public ISealedSegmentBuilder BeginSealing(string incarnation, string file) =>
        new SealedBuilder(container.GetBlockBlobClient(EventLogLayout.SealedName(incarnation, file)));

    public async Task<long> OpenSegmentLengthAsync(string incarnation, string file, CancellationToken cancellationToken) =>
        (await container.GetBlobClient(EventLogLayout.SegmentName(incarnation, file)).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;

    public async Task ReadOpenSegmentAsync(string incarnation, string file, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var download = await container.GetBlobClient(EventLogLayout.SegmentName(incarnation, file)).DownloadStreamingAsync(
            new BlobDownloadOptions { Range = new HttpRange(offset, buffer.Length) }, cancellationToken);
        await using var content = download.Value.Content;
        await content.ReadExactlyAsync(buffer, cancellationToken);
    }

    public async Task DeleteOpenSegmentAsync(string incarnation, string file, CancellationToken cancellationToken) =>
        await container.GetBlobClient(EventLogLayout.SegmentName(incarnation, file)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    private static DateTimeOffset? ErasedAt(IDictionary<string, string> metadata) =>
        metadata.TryGetValue(ErasedAtKey, out var ticks) && long.TryParse(ticks, CultureInfo.InvariantCulture, out var t)
            ? new DateTimeOffset(t, TimeSpan.Zero)
            : null;

    private sealed class Appender(AppendBlobClient blob, string file) : ISegmentAppender
    {
        public string File => file;

        public async Task AppendBlockAsync(Stream block, CancellationToken cancellationToken) =>
            await blob.AppendBlockAsync(block, cancellationToken: cancellationToken);
    }

    private sealed class SealedBuilder(BlockBlobClient blob) : ISealedSegmentBuilder
    {
        private readonly List<string> _blockIds = [];

        public int MaxChunks => MaxBlocksPerBlob;

        public async Task StageAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
        {
            var blockId = Convert.ToBase64String(BitConverter.GetBytes(_blockIds.Count));
            await blob.StageBlockAsync(blockId, BinaryData.FromBytes(chunk).ToStream(), cancellationToken: cancellationToken);
            _blockIds.Add(blockId);
        }

        public async Task CommitAsync(CancellationToken cancellationToken) =>
            await blob.CommitBlockListAsync(_blockIds, cancellationToken: cancellationToken);
    }
}
