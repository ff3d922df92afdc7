using System.Numerics;

namespace Marketing.Cli.Benchmarks;

/// <summary>
/// Records latencies in microseconds into log-linear buckets (exact below 256 µs, then 128 buckets per doubling,
/// so any reported percentile is within 0.8% of the true value) with lock-free counters, so many request
/// completions can record at once without a lock or an allocation.
/// </summary>
public sealed class LatencyHistogram
{
    private const int LinearLimit = 256;
    private const int SubBuckets = 128;
    private const int SubBucketBits = 7;

    private readonly long[] _counts = new long[LinearLimit + ((64 - 8) * SubBuckets)];
    private long _count;
    private long _sum;
    private long _max;
    private long _min = long.MaxValue;

    public long Count => Interlocked.Read(ref _count);

    public long MaxMicroseconds => Count == 0 ? 0 : Interlocked.Read(ref _max);

    public long MinMicroseconds => Count == 0 ? 0 : Interlocked.Read(ref _min);

    public double MeanMicroseconds => Count == 0 ? 0 : (double)Interlocked.Read(ref _sum) / Count;

    public void Record(TimeSpan latency) => RecordMicroseconds(latency.Ticks / TimeSpan.TicksPerMicrosecond);

    public void RecordMicroseconds(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        Interlocked.Increment(ref _counts[BucketOf(value)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sum, value);
        UpdateExtreme(ref _max, value, larger: true);
        UpdateExtreme(ref _min, value, larger: false);
    }

    /// <summary>
    /// The smallest recorded value such that <paramref name="percentile"/>% of recordings are at or below it (to the
    /// bucket's precision, never beyond the observed minimum and maximum); 0 when nothing was recorded.
    /// </summary>
    public long PercentileMicroseconds(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        var count = Count;
        if (count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * count));
        long seen = 0;
        for (var bucket = 0; bucket < _counts.Length; bucket++)
        {
            seen += Interlocked.Read(ref _counts[bucket]);
            if (seen >= rank)
            {
                return Math.Clamp(HighestIn(bucket), MinMicroseconds, MaxMicroseconds);
            }
        }

        return MaxMicroseconds;
    }

    public double PercentileMilliseconds(double percentile) => PercentileMicroseconds(percentile) / 1000.0;

    internal static int BucketOf(long value)
    {
        if (value < LinearLimit)
        {
            return (int)value;
        }

        var topBit = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = topBit - SubBucketBits;
        var mantissa = (int)(value >> shift) - SubBuckets;
        return LinearLimit + ((shift - 1) * SubBuckets) + mantissa;
    }

    internal static long HighestIn(int bucket)
    {
        if (bucket < LinearLimit)
        {
            return bucket;
        }

        var shift = ((bucket - LinearLimit) / SubBuckets) + 1;
        var mantissa = ((bucket - LinearLimit) % SubBuckets) + SubBuckets;
        return ((long)(mantissa + 1) << shift) - 1;
    }

    private static void UpdateExtreme(ref long field, long value, bool larger)
    {
        var current = Interlocked.Read(ref field);
        while (larger ? value > current : value < current)
        {
            var previous = Interlocked.CompareExchange(ref field, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }
}
