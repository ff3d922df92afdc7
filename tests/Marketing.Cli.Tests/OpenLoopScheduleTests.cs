using Marketing.Cli.Benchmarks;

namespace Marketing.Cli.Tests;

public class OpenLoopScheduleTests
{
    [Fact]
    public void Requests_fall_due_on_the_clock_at_the_offered_rate()
    {
        var schedule = OpenLoopSchedule.For(eventsPerSecond: 5_000, eventsPerRequest: 1, TimeSpan.FromSeconds(30));

        Assert.Equal(150_000, schedule.TotalRequests);
        Assert.Equal(1, schedule.DueBy(TimeSpan.Zero));
        Assert.Equal(2_501, schedule.DueBy(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(TimeSpan.FromMilliseconds(500), schedule.DueAt(2_500));
        Assert.Equal(150_000, schedule.DueBy(TimeSpan.FromMinutes(5)));
        Assert.Equal(0, schedule.DueBy(TimeSpan.FromMilliseconds(-1)));
    }

    [Fact]
    public void Batching_divides_the_request_rate_not_the_event_rate()
    {
        var schedule = OpenLoopSchedule.For(eventsPerSecond: 5_000, eventsPerRequest: 10, TimeSpan.FromSeconds(2));

        Assert.Equal(500, schedule.RequestsPerSecond);
        Assert.Equal(1_000, schedule.TotalRequests);
        Assert.Equal(TimeSpan.FromMilliseconds(2), schedule.DueAt(1));
    }

    [Fact]
    public async Task A_slow_target_is_charged_from_the_scheduled_time()
    {
        var target = new StallingTarget(TimeSpan.FromMilliseconds(200));
        var events = new LoadEventFactory([], [], shoppers: 10, runId: "t");
        var runner = new OpenLoopRunner(target, events, eventsPerRequest: 1, maxInFlight: 1);

        // Ten requests offered over 50 ms to a target that takes 200 ms each, one at a time: the last one was due
        // at 45 ms but could only start after nine others finished, so its latency is close to two seconds.
        var result = await runner.RunAsync(new OpenLoopSchedule(200, 10), TimeSpan.FromSeconds(10), null, CancellationToken.None);

        Assert.Equal(10, result.RequestsOk);
        Assert.True(result.Latency.MaxMicroseconds >= 1_800_000, $"max latency {result.Latency.MaxMicroseconds} µs hides the queueing");
        Assert.Equal(10, result.Statuses["ok"]);
    }

    private sealed class StallingTarget(TimeSpan delay) : IIntakeTarget
    {
        public string Name => "stalling";

        public async Task<(bool Ok, string Status)> SendAsync(string userId, Marketing.Abstractions.Events.ShopperEvent[] events, CancellationToken cancellation)
        {
            await Task.Delay(delay, cancellation);
            return (true, "ok");
        }

        public void Dispose()
        {
        }
    }
}
