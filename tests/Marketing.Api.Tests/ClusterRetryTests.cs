using Marketing.Client;

namespace Marketing.Api.Tests;

/// <summary>How the gateway's resend treats a call that goes unanswered, as one pending on a killed silo does.</summary>
public sealed class ClusterRetryTests
{
    [Fact]
    public async Task After_an_unanswered_call_the_next_attempt_may_take_twice_as_long_before_it_too_is_given_up()
    {
        // The first attempt is never answered; the second is answered after 1.5 attempt timeouts, as a new activation
        // starting right after a crash may be. Given up at one timeout, it would go a third time.
        var calls = 0;
        var result = await ClusterRetry.RunAsync(
            async () =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    await Task.Delay(Timeout.Infinite);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(600));
                return "answered";
            },
            mayRunTwice: true,
            budget: TimeSpan.FromSeconds(5),
            attemptTimeout: TimeSpan.FromMilliseconds(400),
            TimeProvider.System);

        Assert.Equal("answered", result);
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
