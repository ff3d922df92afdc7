using Marketing.Cli.Benchmarks;
using Marketing.Cli.Reporting;

namespace Marketing.Cli.Tests;

public class LatencyTimelineTests
{
    [Fact]
    public void A_stall_shows_in_the_seconds_it_hit_and_not_in_the_others()
    {
        var timeline = new LatencyTimeline(TimeSpan.FromSeconds(10));
        for (var ms = 0; ms < 10_000; ms += 10)
        {
            var stalled = ms is >= 4_000 and < 5_000;
            timeline.Record(TimeSpan.FromMilliseconds(ms), TimeSpan.FromMilliseconds(stalled ? 300 : 5));
        }

        var slices = timeline.Slices.ToList();
        Assert.Equal(1, timeline.SliceSeconds);
        Assert.Equal(10, slices.Count);
        Assert.All(slices, s => Assert.Equal(100, s.Latency.Count));
        Assert.Equal(300, slices[4].Latency.PercentileMilliseconds(50), 0.01 * 300);
        Assert.All(slices.Where(s => s.FromSecond != 4), s => Assert.True(s.Latency.MaxMicroseconds < 6_000, $"second {s.FromSecond}: {s.Latency.MaxMicroseconds} µs"));
    }

    [Fact]
    public void A_long_run_is_cut_into_at_most_sixty_rows()
    {
        var timeline = new LatencyTimeline(TimeSpan.FromMinutes(10));
        timeline.Record(TimeSpan.FromSeconds(599.9), TimeSpan.FromMilliseconds(1));
        timeline.Record(TimeSpan.FromSeconds(700), TimeSpan.FromMilliseconds(1));

        var slices = timeline.Slices.ToList();
        Assert.Equal(10, timeline.SliceSeconds);
        Assert.Equal(LatencyTimeline.MaxSlices, slices.Count);
        Assert.Equal(590, slices[^1].FromSecond);
        Assert.Equal(2, slices[^1].Latency.Count);
    }

    [Fact]
    public void Bars_are_scaled_to_the_highest_row_and_line_up()
    {
        Assert.Equal(30, TimelineReport.Bar(100, 100).TrimEnd().Length);
        Assert.Equal(15, TimelineReport.Bar(50, 100).TrimEnd().Length);
        Assert.Equal(1, TimelineReport.Bar(1, 100_000).TrimEnd().Length);
        Assert.Equal("", TimelineReport.Bar(0, 100).TrimEnd());
        Assert.Equal(30, TimelineReport.Bar(50, 100).Length);
    }
}
