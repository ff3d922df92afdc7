namespace Marketing.Cli.Benchmarks;

/// <summary>
/// A fixed-rate plan: request <c>i</c> is due at <c>i / rate</c> seconds after the start, whatever happened to the
/// requests before it. Latency is measured from this due time, so a stalled server is charged for the requests it
/// delayed (no coordinated omission).
/// </summary>
public readonly record struct OpenLoopSchedule(double RequestsPerSecond, long TotalRequests)
{
    public static OpenLoopSchedule For(double eventsPerSecond, int eventsPerRequest, TimeSpan duration)
    {
        var requestsPerSecond = eventsPerSecond / eventsPerRequest;
        return new(requestsPerSecond, Math.Max(1, (long)Math.Round(requestsPerSecond * duration.TotalSeconds)));
    }

    public TimeSpan DueAt(long request) => TimeSpan.FromSeconds(request / RequestsPerSecond);

    /// <summary>How many requests are due once <paramref name="elapsed"/> has passed (request 0 is due at once).</summary>
    public long DueBy(TimeSpan elapsed) =>
        elapsed < TimeSpan.Zero ? 0 : Math.Min(TotalRequests, (long)Math.Floor(elapsed.TotalSeconds * RequestsPerSecond) + 1);
}
