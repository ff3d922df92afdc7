using Orleans.Runtime.Messaging;

namespace Marketing.Client;

/// <summary>
/// Retries a grain call that failed because a silo could not be reached, for as long as the cluster may need to
/// notice that the silo died and place its grains elsewhere (seconds). A rejected message was never run, so it is
/// always sent again; a call whose silo died while it was pending may have run, so it is sent again only when the
/// caller says running it twice is harmless (events with ids are: the shopper counts an id once). A timeout is not
/// retried: the caller has already waited long.
/// </summary>
public static class ClusterRetry
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs <paramref name="call"/>, and again after growing pauses (50 ms up to 1 s) while it fails for an
    /// unreachable silo and <paramref name="budget"/> lasts; then the last failure is thrown.
    /// <paramref name="onRetry"/> hears each failure that is retried.
    /// </summary>
    public static async Task<T> RunAsync<T>(
        Func<Task<T>> call,
        bool mayRunTwice,
        TimeSpan budget,
        TimeProvider time,
        Action<Exception>? onRetry = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        var delay = FirstDelay;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception e) when (IsRetryable(e, mayRunTwice) && time.GetElapsedTime(started) + delay <= budget)
            {
                onRetry?.Invoke(e);
            }

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
}
