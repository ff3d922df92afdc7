using System.Runtime.CompilerServices;
using Marketing.Grains.Events;

namespace Marketing.Silo.EventLog;

/// <summary>
/// Reads incarnations' logs back whole: the tail after an incarnation's checkpoint (what its grain state may lack,
/// for recovery), and every record of every incarnation.
/// </summary>
public sealed class EventLogTailReader(IEventLogStore store)
{
    /// <summary>Incarnations with a log; with <paramref name="openOnly"/>, those not yet marked closed.</summary>
    public async Task<IReadOnlyList<string>> ListIncarnationsAsync(bool openOnly, CancellationToken cancellationToken) =>
        [.. (await store.ListLogsAsync(null, cancellationToken)).Where(l => !openOnly || !l.Closed).Select(l => l.Incarnation)];

    /// <summary>The records of an incarnation logged at or after its checkpoint: what its grain state may lack.</summary>
    /// <returns>The records, and how many bytes of log were downloaded for them.</returns>
    public async Task<(List<LoggedEvent> Records, long BytesRead)> ReadTailAsync(string incarnation, CancellationToken cancellationToken)
    {
        var checkpoint = await store.ReadCheckpointAsync(incarnation, cancellationToken) ?? LogCheckpoint.None;
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

    /// <summary>Every record of every incarnation, oldest segment first, erased or not.</summary>
    public async IAsyncEnumerable<LoggedEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var incarnation in await ListIncarnationsAsync(openOnly: false, cancellationToken))
        {
            await foreach (var record in ReadSegmentsAsync(incarnation, LogCheckpoint.None, new StrongBox<long>(), cancellationToken))
            {
                yield return record;
            }
        }
    }

    private async IAsyncEnumerable<LoggedEvent> ReadSegmentsAsync(
        string incarnation, LogCheckpoint checkpoint, StrongBox<long> bytesRead, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var from = checkpoint.ReflectedThrough;
        var logs = await store.ListLogsAsync(incarnation, cancellationToken);
        var segments = logs.Count == 0 ? [] : logs[0].Segments;
        var startAt = checkpoint.Segment is { } known && segments.Any(s => s.File == known) ? known : null;
        for (var i = 0; i < segments.Count; i++)
        {
            // Before the checkpoint's segment, or a segment that ended (the next one started) before the checkpoint:
            // nothing of the tail.
            if ((startAt is not null && string.CompareOrdinal(segments[i].File, startAt) < 0)
                || (i + 1 < segments.Count && segments[i + 1].StartedAt < from))
            {
                continue;
            }

            // Blocks hold whole lines, so a read from a block's start parses like a whole segment; a sealed segment
            // has the open one's bytes, so the checkpoint's offset holds in either.
            var offset = segments[i].File == startAt ? checkpoint.Offset : 0;
            var content = await store.ReadSegmentAsync(incarnation, segments[i], offset, length: null, cancellationToken);
            bytesRead.Value += content.Length;
            foreach (var record in EventLogJson.ReadLines(content))
            {
                yield return record;
            }
        }
    }
}
