namespace Marketing.Cli.Benchmarks;

/// <summary>
/// Latencies by when each request was due, in equal slices of the run (at most <see cref="MaxSlices"/>, at least a
/// second each), so a stall shows as the slices it hit instead of vanishing into one percentile.
/// </summary>
public sealed class LatencyTimeline
{
    public const int MaxSlices = 60;

    private readonly LatencyHistogram?[] _slices;

    public LatencyTimeline(TimeSpan duration)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(duration.TotalSeconds));
        SliceSeconds = (int)Math.Ceiling(seconds / (double)MaxSlices);
        _slices = new LatencyHistogram?[(int)Math.Ceiling(seconds / (double)SliceSeconds)];
    }

    public int SliceSeconds { get; }

    /// <summary>Slices in order: the first second of each and what was recorded for requests due in it.</summary>
    public IEnumerable<(int FromSecond, LatencyHistogram Latency)> Slices =>
        _slices.Select((latency, i) => (i * SliceSeconds, latency ?? new LatencyHistogram()));

    public void Record(TimeSpan dueAfterStart, TimeSpan latency)
    {
        var slice = Math.Clamp((int)(dueAfterStart.TotalSeconds / SliceSeconds), 0, _slices.Length - 1);
        var histogram = Volatile.Read(ref _slices[slice]);
        if (histogram is null)
        {
            Interlocked.CompareExchange(ref _slices[slice], new LatencyHistogram(), null);
            histogram = Volatile.Read(ref _slices[slice])!;
        }

        histogram.Record(latency);
    }
}
