using System.Collections.Concurrent;
using System.Diagnostics;

namespace Marketing.Cli.Benchmarks;

/// <summary>What an open-loop run measured.</summary>
public sealed record IntakeResult(
    long RequestsSent,
    long RequestsOk,
    long EventsOk,
    IReadOnlyDictionary<string, long> Statuses,
    long Unfinished,
    TimeSpan Elapsed,
    LatencyHistogram Latency,
    LatencyTimeline Timeline)
{
    public double AchievedEventsPerSecond => Elapsed > TimeSpan.Zero ? EventsOk / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Sends requests on the <see cref="OpenLoopSchedule"/> clock, not when earlier ones finish. Outstanding requests
/// are bounded (memory), but a request held back by the bound still has its latency counted from its due time.
/// </summary>
public sealed class OpenLoopRunner(IIntakeTarget target, LoadEventFactory events, int eventsPerRequest, int maxInFlight)
{
    public async Task<IntakeResult> RunAsync(OpenLoopSchedule schedule, TimeSpan drainTimeout, Action<long>? progress, CancellationToken cancellation)
    {
        var latency = new LatencyHistogram();
        var timeline = new LatencyTimeline(schedule.DueAt(schedule.TotalRequests - 1));
        var statuses = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        long ok = 0, eventsOk = 0, lastCompletion = 0;
        var start = Stopwatch.GetTimestamp();
        long sent = 0;

        async Task SendAsync(long dueTimestamp, string userId, Marketing.Abstractions.Events.ShopperEvent[] batch)
        {
            try
            {
                var (success, status) = await target.SendAsync(userId, batch, cancellation);
                var done = Stopwatch.GetTimestamp();
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (success)
                {
                    var took = Stopwatch.GetElapsedTime(dueTimestamp, done);
                    latency.Record(took);
                    timeline.Record(Stopwatch.GetElapsedTime(start, dueTimestamp), took);
                    Interlocked.Increment(ref ok);
                    Interlocked.Add(ref eventsOk, batch.Length);
                }

                InterlockedMax(ref lastCompletion, done);
            }
            finally
            {
                slots.Release();
            }
        }

        try
        {
            while (sent < schedule.TotalRequests)
            {
                var due = schedule.DueBy(Stopwatch.GetElapsedTime(start));
                while (sent < due)
                {
                    await slots.WaitAsync(cancellation);
                    var dueTimestamp = start + (long)(schedule.DueAt(sent).TotalSeconds * Stopwatch.Frequency);
                    var (userId, batch) = events.Next(eventsPerRequest);
                    _ = SendAsync(dueTimestamp, userId, batch);
                    sent++;
                }

                progress?.Invoke(sent);
                if (sent < schedule.TotalRequests)
                {
                    // Wakes about every millisecond and sends everything that fell due meanwhile.
                    await Task.Delay(1, cancellation);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
        }

        // Wait for the stragglers by taking back every slot; what is still out after the timeout is reported.
        var drained = 0;
        using var drainDeadline = new CancellationTokenSource(drainTimeout);
        try
        {
            for (; drained < maxInFlight; drained++)
            {
                await slots.WaitAsync(drainDeadline.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        var end = Interlocked.Read(ref lastCompletion);
        return new IntakeResult(
            sent,
            Interlocked.Read(ref ok),
            Interlocked.Read(ref eventsOk),
            statuses.ToDictionary(),
            maxInFlight - drained,
            end > start ? Stopwatch.GetElapsedTime(start, end) : TimeSpan.Zero,
            latency,
            timeline);
    }

    private static void InterlockedMax(ref long field, long value)
    {
        var current = Interlocked.Read(ref field);
        while (value > current)
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
