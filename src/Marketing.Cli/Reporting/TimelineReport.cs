using Marketing.Cli.Benchmarks;

namespace Marketing.Cli.Reporting;

/// <summary>A latency timeline as a pipe table with a bar per row, so a stall stands out at a glance.</summary>
public static class TimelineReport
{
    private const int BarWidth = 30;

    public static void Write(LatencyTimeline timeline)
    {
        var slices = timeline.Slices.ToList();
        var highest = Math.Max(1, slices.Max(s => s.Latency.PercentileMicroseconds(99)));
        Report.Table(
            ["from s", "requests", "p50 ms", "p99 ms", "max ms", "p99"],
            slices.Select(s => (IReadOnlyList<string>)
            [
                Report.Count(s.FromSecond), Report.Count(s.Latency.Count), Report.Milliseconds(s.Latency.PercentileMilliseconds(50)),
                Report.Milliseconds(s.Latency.PercentileMilliseconds(99)), Report.Milliseconds(s.Latency.MaxMicroseconds / 1000.0),
                Bar(s.Latency.PercentileMicroseconds(99), highest),
            ]),
            leftAligned: 0);
    }

    /// <summary>
    /// A bar of up to <see cref="BarWidth"/> blocks, at least one for anything above zero, padded to the full width so
    /// the bars of a right-aligned column all start at the same place.
    /// </summary>
    public static string Bar(long value, long highest) =>
        (value <= 0 ? "" : new string('█', Math.Clamp((int)Math.Round(BarWidth * (double)value / highest), 1, BarWidth))).PadRight(BarWidth, ' ');
}
