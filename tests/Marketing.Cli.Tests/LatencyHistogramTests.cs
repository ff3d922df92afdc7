using Marketing.Cli.Benchmarks;

namespace Marketing.Cli.Tests;

public class LatencyHistogramTests
{
    [Fact]
    public void An_empty_histogram_reports_zeros()
    {
        var histogram = new LatencyHistogram();

        Assert.Equal(0, histogram.Count);
        Assert.Equal(0, histogram.PercentileMicroseconds(99));
        Assert.Equal(0, histogram.MaxMicroseconds);
    }

    [Fact]
    public void Small_values_are_exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 100; v++)
        {
            histogram.RecordMicroseconds(v);
        }

        Assert.Equal(50, histogram.PercentileMicroseconds(50));
        Assert.Equal(90, histogram.PercentileMicroseconds(90));
        Assert.Equal(99, histogram.PercentileMicroseconds(99));
        Assert.Equal(100, histogram.PercentileMicroseconds(100));
        Assert.Equal(1, histogram.PercentileMicroseconds(0));
        Assert.Equal(50.5, histogram.MeanMicroseconds);
    }

    [Fact]
    public void Large_values_are_within_one_percent_and_the_maximum_is_exact()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 100_000; v++)
        {
            histogram.RecordMicroseconds(v * 10L);
        }

        Assert.InRange(histogram.PercentileMicroseconds(50), 500_000, 505_000);
        Assert.InRange(histogram.PercentileMicroseconds(90), 900_000, 909_000);
        Assert.InRange(histogram.PercentileMicroseconds(99), 990_000, 999_900);
        Assert.Equal(1_000_000, histogram.MaxMicroseconds);
        Assert.Equal(1_000_000, histogram.PercentileMicroseconds(100));
    }

    [Fact]
    public void A_single_slow_request_shows_in_the_tail_not_the_median()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 99; i++)
        {
            histogram.Record(TimeSpan.FromMilliseconds(2));
        }

        histogram.Record(TimeSpan.FromSeconds(3));

        Assert.InRange(histogram.PercentileMilliseconds(50), 2.0, 2.02);
        Assert.InRange(histogram.PercentileMilliseconds(99), 2.0, 2.02);
        Assert.Equal(3_000_000, histogram.PercentileMicroseconds(100));
        Assert.Equal(3_000_000, histogram.MaxMicroseconds);
    }

    [Fact]
    public void A_single_value_is_reported_exactly_at_every_percentile()
    {
        var histogram = new LatencyHistogram();
        histogram.RecordMicroseconds(123_457);

        Assert.Equal(123_457, histogram.PercentileMicroseconds(1));
        Assert.Equal(123_457, histogram.PercentileMicroseconds(50));
        Assert.Equal(123_457, histogram.PercentileMicroseconds(99.9));
    }

    [Fact]
    public void Concurrent_recordings_are_all_counted()
    {
        var histogram = new LatencyHistogram();
        Parallel.For(0, 200_000, i => histogram.RecordMicroseconds(i % 5_000));

        Assert.Equal(200_000, histogram.Count);
        Assert.Equal(4_999, histogram.MaxMicroseconds);
        Assert.Equal(0, histogram.MinMicroseconds);
    }

    [Fact]
    public void Negative_and_huge_values_do_not_break_it()
    {
        var histogram = new LatencyHistogram();
        histogram.RecordMicroseconds(-5);
        histogram.RecordMicroseconds(long.MaxValue / 2);

        Assert.Equal(0, histogram.PercentileMicroseconds(50));
        Assert.Equal(long.MaxValue / 2, histogram.PercentileMicroseconds(100));
    }
}
