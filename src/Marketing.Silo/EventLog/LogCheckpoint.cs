using System.Globalization;

namespace Marketing.Silo.EventLog;

/// <summary>
/// How far an incarnation's grain state has caught up with its log (<see cref="ReflectedThrough"/>), and where the
/// first stored block that may hold a later record starts, so recovery reads only the tail. Without a segment a
/// reader takes every segment that may overlap the tail.
/// </summary>
public sealed record LogCheckpoint(DateTimeOffset ReflectedThrough, string? Segment, long Offset)
{
    /// <summary>No checkpoint: the whole log is tail.</summary>
    public static LogCheckpoint None { get; } = new(DateTimeOffset.MinValue, null, 0);

    /// <summary>
    /// As stored: <c>"{ticks}"</c> alone, or <c>"{ticks} {incarnation}/segments/{file} {offset}"</c> (the segment by its
    /// open name even once sealed: offsets are the same in both).
    /// </summary>
    public string Format(string incarnation) =>
        Segment is null
            ? ReflectedThrough.UtcTicks.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{ReflectedThrough.UtcTicks} {EventLogLayout.SegmentName(incarnation, Segment)} {Offset}");

    public static LogCheckpoint Parse(string content)
    {
        var parts = content.Split(' ');
        var reflectedThrough = new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero);
        return parts.Length == 3 && long.TryParse(parts[2], CultureInfo.InvariantCulture, out var offset)
            ? new LogCheckpoint(reflectedThrough, EventLogLayout.FileName(parts[1]), offset)
            : new LogCheckpoint(reflectedThrough, null, 0);
    }
}
