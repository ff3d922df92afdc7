using Marketing.Client;
using Microsoft.Extensions.Time.Testing;

namespace Marketing.Api.Tests;

/// <summary>How the gateway's resend treats a call that goes unanswered, as one pending on a killed silo does.</summary>
public sealed class ClusterRetryTests
{
    [Fact]
    public async Task After_an_unanswered_call_the_next_attempt_may_take_twice_as_long_before_it_too_is_given_up()
    {
        // On a fake clock, so a loaded machine cannot make the answer late. The first attempt is never answered; the
        // second is answered after 1.5 attempt timeouts, as a new activation starting right after a crash may be.
        // Given up at one timeout, it would go a third time, and wait on the fake clock for ever.
        var clock = new FakeTimeProvider();
        var attemptTimeout = TimeSpan.FromMilliseconds(400);
        var second = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var run = ClusterRetry.RunAsync(
            () => Interlocked.Increment(ref calls) == 1 ? new TaskCompletionSource<string>().Task : second.Task,
            mayRunTwice: true,
            budget: TimeSpan.FromSeconds(5),
            attemptTimeout,
            clock);

        // Past the first attempt's timeout and the pause before the next, a little at a time.
        for (var step = 0; Volatile.Read(ref calls) < 2; step++)
        {
            Assert.True(step < 1_000, "The unanswered first attempt was never sent again.");
            clock.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(5);
        }

        await Task.Delay(100); // lets the second attempt start its timer before the clock moves on
        clock.Advance(attemptTimeout * 1.5);
        await Task.Delay(100); // and lets a timer that ran out give the attempt up
        second.SetResult("answered");

        Assert.Equal("answered", await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task A_call_that_may_not_run_twice_is_waited_for_however_long_it_takes()
    {
        var calls = 0;
        var result = await ClusterRetry.RunAsync(
            async () =>
            {
                Interlocked.Increment(ref calls);
                await Task.Delay(TimeSpan.FromMilliseconds(300));
                return 7;
            },
            mayRunTwice: false,
            budget: TimeSpan.FromSeconds(5),
            attemptTimeout: TimeSpan.FromMilliseconds(100),
            TimeProvider.System);

        Assert.Equal(7, result);
        Assert.Equal(1, calls);
    }
}
