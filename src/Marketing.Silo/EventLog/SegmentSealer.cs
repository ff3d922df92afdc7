namespace Marketing.Silo.EventLog;

/// <summary>
/// Copies rolled-over segments into sealed ones (block blobs under <c>sealed/</c>) and deletes the open ones, off the
/// append path. Until the copy is committed the open segment is the segment, so a crash at any point loses nothing;
/// a failure leaves it be.
/// </summary>
public sealed partial class SegmentSealer(IEventLogStore store, int chunkBytes, ILogger<SegmentSealer> logger) : IAsyncDisposable
{
    // Segments being copied; awaited on shutdown.
    private readonly List<Task> _sealing = [];

    /// <summary>Starts sealing a segment the writer has rolled over from (it is never appended to again).</summary>
    public void Start(string incarnation, string file)
    {
        var task = Task.Run(() => SealAsync(incarnation, file));
        lock (_sealing)
        {
            _sealing.RemoveAll(t => t.IsCompleted);
            _sealing.Add(task);
        }
    }

    /// <summary>Waits for the seals under way.</summary>
    public async ValueTask DisposeAsync()
    {
        Task[] sealing;
        lock (_sealing)
        {
            sealing = [.. _sealing];
        }

        await Task.WhenAll(sealing);
    }

    private async Task SealAsync(string incarnation, string file)
    {
        try
        {
            // In chunks through one buffer: a whole segment (up to MaxSegmentBytes) in memory at once, growing as it
            // downloads, cost every grain on the silo full collections. The buffer is not pooled: a seal every few
            // minutes should not keep 4 MiB for good.
            var length = await store.OpenSegmentLengthAsync(incarnation, file, CancellationToken.None);
            var sealedSegment = store.BeginSealing(incarnation, file);
            // The sealed copy takes a bounded number of chunks, so a small chunk setting grows to fit a large segment.
            var size = (int)Math.Max(chunkBytes, (length + sealedSegment.MaxChunks - 1) / sealedSegment.MaxChunks);
            var buffer = GC.AllocateUninitializedArray<byte>((int)Math.Min(size, length));
            for (long offset = 0; offset < length; offset += size)
            {
                var chunk = buffer.AsMemory(0, (int)Math.Min(size, length - offset));
                await store.ReadOpenSegmentAsync(incarnation, file, offset, chunk, CancellationToken.None);
                await sealedSegment.StageAsync(chunk, CancellationToken.None);
            }

            await sealedSegment.CommitAsync(CancellationToken.None);
            await store.DeleteOpenSegmentAsync(incarnation, file, CancellationToken.None);
            LogSealed(EventLogLayout.SegmentName(incarnation, file), length);
        }
        catch (Exception ex)
        {
            LogSealFailed(ex, EventLogLayout.SegmentName(incarnation, file));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event-log segment {Segment} sealed into a block blob ({Bytes} bytes)")]
    private partial void LogSealed(string segment, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event-log segment {Segment} could not be sealed; it stays an append blob")]
    private partial void LogSealFailed(Exception ex, string segment);
}
