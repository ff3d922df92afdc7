using System.Collections.Immutable;

namespace Marketing.Grains.Events;

/// <summary>
/// How far a consumer has read the durable log: per silo incarnation, the segment and the byte offset read so far.
/// A consumer stores it (Orleans or JSON serialisation both work) and hands it back to
/// <see cref="IEventLogCursor.ReadFromAsync"/> to resume. Incarnations it does not name are unread.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.LogPosition")]
public sealed record LogPosition
{
    /// <summary>Nothing read yet: a cursor reads the whole log from here.</summary>
    public static LogPosition Start { get; } = new();

    /// <summary>By incarnation (a silo's address and generation), the point up to which its log was read.</summary>
    [Id(0)]
    public ImmutableDictionary<string, SegmentOffset> Incarnations { get; init; } = ImmutableDictionary<string, SegmentOffset>.Empty;

    /// <summary>Where reading <paramref name="incarnation"/> goes on, or null when none of it was read.</summary>
    public SegmentOffset? Of(string incarnation) => Incarnations.GetValueOrDefault(incarnation);

    public LogPosition With(string incarnation, SegmentOffset at) =>
        Incarnations.TryGetValue(incarnation, out var known) && known == at ? this : new() { Incarnations = Incarnations.SetItem(incarnation, at) };

    // Records compare dictionaries by reference; two positions are the same when they name the same points.
    public bool Equals(LogPosition? other) =>
        other is not null && Incarnations.Count == other.Incarnations.Count
        && Incarnations.All(i => other.Incarnations.TryGetValue(i.Key, out var at) && at == i.Value);

    public override int GetHashCode() => Incarnations.Count;
}

/// <summary>A point in one incarnation's log: the bytes of <see cref="Segment"/> before <see cref="Offset"/>, and every earlier segment, were read.</summary>
[GenerateSerializer, Immutable, Alias("mk.SegmentOffset")]
public sealed record SegmentOffset
{
    /// <summary>The segment's file name (<c>000001-{ticks}.log</c>), the same whether it is sealed or not.</summary>
    [Id(0)]
    public required string Segment { get; init; }

    [Id(1)]
    public required long Offset { get; init; }
}

/// <summary>One read of the log: the events, and the position just past them.</summary>
/// <param name="Events">In log order within each incarnation.</param>
/// <param name="Next">Where the next read starts; store it to resume after a restart.</param>
/// <param name="CaughtUp">True when the read reached the end of everything stored at the time, so a poller may wait before reading again.</param>
public sealed record LogPage(IReadOnlyList<LoggedEvent> Events, LogPosition Next, bool CaughtUp);
