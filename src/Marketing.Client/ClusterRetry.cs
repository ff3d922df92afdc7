using System.Runtime.ExceptionServices;
using Orleans.Runtime.Messaging;

namespace Marketing.Client;

/// <summary>
/// Retries a grain call that failed because a silo could not be reached, for as long as the cluster may need to
/// notice that the silo died and place its grains elsewhere (seconds). A rejected message was never run, so it is
/// always sent again; a call whose silo died while it was pending may have run, so it is sent again only when the
/// caller says running it twice is harmless (events with ids are: the shopper counts an id once). Such a call is
/// also sent again when it goes unanswered for an attempt's time: a call pending on a silo that was killed is never
/// answered, and Orleans would wait out its whole response timeout. Orleans' own timeout is not retried: the caller
/// has already waited long.
/// </summary>
public static class ClusterRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="call"/>, and again after growing pauses (50 ms up to 1 s) while it fails for an
    /// unreachable silo and <paramref name="budget"/> lasts, counted from the first failure; then the last failure is
    /// thrown. When <paramref name="mayRunTwice"/>, an attempt unanswered after <paramref name="attemptTimeout"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: never; twice as long for each attempt after one left unanswered)
    /// counts as such a failure, a <see cref="TimeoutException"/>.
    /// <paramref name="onRetry"/> hears each failure that is retried.
    /// </summary>
    public static async Task<T> RunAsync<T>(
        Func<Task<T>> call,
        bool mayRunTwice,
        TimeSpan budget,
        TimeSpan attemptTimeout,
        TimeProvider time,
        Action<Exception>? onRetry = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(time);
        var bounded = mayRunTwice && attemptTimeout != Timeout.InfiniteTimeSpan;
        var timeout = attemptTimeout;
        var delay = FirstDelay;
        long? failingSince = null;
        while (true)
        {
            Exception failure;
            var attempt = call();
            try
            {
                return await (bounded ? attempt.WaitAsync(timeout, time, cancellationToken) : attempt).ConfigureAwait(false);
            }
            catch (TimeoutException e) when (bounded && !ReferenceEquals(e, attempt.Exception?.InnerException))
            {
                // Unanswered, not timed out by Orleans: the silo may have died holding it. What it ends with no longer
                // matters. The next attempt gets twice as long: right after a crash a new activation is slow to start
                // (it loads the dead silo's log tail), and should not be given up on as if it were lost too.
                Forget(attempt);
                failure = new TimeoutException($"No answer from the silo within {timeout.TotalSeconds:0.###} s.", e);
                timeout = TimeSpan.FromTicks(Math.Min(timeout.Ticks * 2, TimeSpan.FromMinutes(10).Ticks));
            }
            catch (Exception e) when (IsRetryable(e, mayRunTwice))
            {
                failure = e;
            }

            failingSince ??= time.GetTimestamp();
            if (time.GetElapsedTime(failingSince.Value) + delay > budget)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            onRetry?.Invoke(failure);
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestDelay.Ticks));
        }
    }

    /// <summary>Whether <paramref name="failure"/> says a silo could not be reached, and sending again is safe.</summary>
    public static bool IsRetryable(Exception failure, bool mayRunTwice) => failure switch
    {
        // The target silo was declared dead with the call pending: it may have run before the silo went.
        SiloUnavailableException => mayRunTwice,

        // Refused or never sent (no connection to the silo): the call did not run.
        OrleansMessageRejectionException or ConnectionFailedException => true,
        _ => false,
    };

    private static void Forget(Task attempt) =>
        attempt.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
