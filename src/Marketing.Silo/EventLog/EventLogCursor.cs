using Marketing.Grains.Events;

namespace Marketing.Silo.EventLog;

/// <summary>
/// <see cref="IEventLogCursor"/> over a stored log: every incarnation (live or dead, closed or not) in name order,
/// each segment (sealed or open) in file order, from the position's offset. It reads no further than each segment's
/// length as listed, in chunks, and keeps only whole lines, so what it returns ends on a block boundary or a line
/// within one; a segment whose listed length was read costs no request on the next page. One request downloads
/// at most <c>chunkBytes</c> of a segment (more when a single line is longer).
/// </summary>
public sealed class EventLogCursor(IEventLogStore store, int chunkBytes = EventLogCursor.DefaultChunkBytes) : IEventLogCursor
{
    public const int DefaultChunkBytes = 1024 * 1024;

    public async Task<LogPage> ReadFromAsync(LogPosition from, int maxEvents, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);

        // Erasures before the listing: no page holds a record of a shopper erased before the page was asked for.
        var erasures = await store.ReadErasuresAsync(cancellationToken);
        var logs = await store.ListLogsAsync(null, cancellationToken);
        var page = new Page(maxEvents, erasures, from);
        foreach (var log in logs)
        {
            if (!await ReadIncarnationAsync(log, page, cancellationToken))
            {
                return new LogPage(page.Events, page.Next, CaughtUp: false);
            }
        }

        return new LogPage(page.Events, page.Next, CaughtUp: true);
    }

    /// <returns>False when the page filled before the end of this incarnation's listed segments.</returns>
    private async Task<bool> ReadIncarnationAsync(StoredLog log, Page page, CancellationToken cancellationToken)
    {
        var at = page.Next.Of(log.Incarnation);
        foreach (var segment in log.Segments)
        {
            // Segments before the position's were read to their end (the writer never goes back to one).
            if (at is not null && string.CompareOrdinal(segment.File, at.Segment) < 0)
            {
                continue;
            }

            var offset = at is not null && segment.File == at.Segment ? at.Offset : 0;
            var full = false;
            var chunk = chunkBytes;
            while (offset < segment.Length && !full)
            {
                var want = (int)Math.Min(chunk, segment.Length - offset);
                var bytes = await store.ReadSegmentAsync(log.Incarnation, segment, offset, want, cancellationToken);
                var used = page.TakeLines(bytes.Span, out full);
                if (used == 0 && !full)
                {
                    if (bytes.Length < want || want == segment.Length - offset)
                    {
                        // No whole line in what is there: the rest is not stored yet (or not a line); next time.
                        break;
                    }

                    chunk = checked(chunk * 2);
                    continue;
                }

                offset += used;
            }

            if (offset > 0 || at is not null)
            {
                page.Next = page.Next.With(log.Incarnation, new SegmentOffset { Segment = segment.File, Offset = offset });
            }

            at = page.Next.Of(log.Incarnation);
            if (full)
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Page(int maxEvents, IReadOnlyDictionary<string, DateTimeOffset> erasures, LogPosition from)
    {
        public List<LoggedEvent> Events { get; } = [];

        public LogPosition Next { get; set; } = from;

        /// <summary>Takes the whole lines at the start of <paramref name="bytes"/> until the page is full.</summary>
        /// <returns>How many bytes the lines taken span, newlines included.</returns>
        public int TakeLines(ReadOnlySpan<byte> bytes, out bool full)
        {
            var used = 0;
            full = Events.Count >= maxEvents;
            while (!full)
            {
                var end = bytes[used..].IndexOf((byte)'\n');
                if (end < 0)
                {
                    break;
                }

                // Lines that are not records, and erased shoppers' records, are passed over like every reader does.
                if (EventLogJson.ParseLine(bytes.Slice(used, end)) is { } record && !record.IsErasedBy(erasures))
                {
                    Events.Add(record);
                }

                used += end + 1;
                full = Events.Count >= maxEvents;
            }

            return used;
        }
    }
}
