using System.Globalization;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The names of the log's pieces, as stored logs have them: <c>{incarnation}/segments/{file}</c> while a segment is
/// appended to, <c>{incarnation}/sealed/{file}</c> once sealed, <c>{incarnation}/checkpoint</c>,
/// <c>{incarnation}/closed</c>, and <c>erasures/{shopper}</c>. A segment's file is <c>{number:D6}-{startTicks}.log</c>,
/// so files sort in the order they were written.
/// </summary>
public static class EventLogLayout
{
    public const string ErasurePrefix = "erasures/";
    public const string SegmentsFolder = "segments/";
    public const string SealedFolder = "sealed/";
    public const string Checkpoint = "checkpoint";
    public const string Closed = "closed";

    public static string SegmentFile(int number, DateTimeOffset startedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"{number:D6}-{startedAt.UtcTicks}.log");

    public static string SegmentName(string incarnation, string file) => $"{incarnation}/{SegmentsFolder}{file}";

    public static string SealedName(string incarnation, string file) => $"{incarnation}/{SealedFolder}{file}";

    public static string FileName(string name) => name[(name.LastIndexOf('/') + 1)..];

    /// <summary>When a segment was started, from its file name; the earliest time when the name does not say.</summary>
    public static DateTimeOffset SegmentStart(string name)
    {
        var file = FileName(name);
        var dash = file.IndexOf('-', StringComparison.Ordinal);
        var dot = file.LastIndexOf('.');
        return dash > 0 && dot > dash && long.TryParse(file.AsSpan(dash + 1, dot - dash - 1), CultureInfo.InvariantCulture, out var ticks)
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : DateTimeOffset.MinValue;
    }
}
