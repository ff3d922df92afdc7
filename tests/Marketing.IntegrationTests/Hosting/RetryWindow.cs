namespace Marketing.IntegrationTests.Hosting;

/// <summary>
/// Retries a call for a bounded window: while a silo leaves, the cluster needs a few seconds to agree it is gone and
/// move its grains, and callers are expected to retry through that window, not forever.
/// </summary>
public sealed class RetryWindow(TimeSpan window)
{
    private readonly DateTime _deadline = DateTime.UtcNow + window;
    private int _retries;

    public int Retries => _retries;

    public async Task<T> Call<T>(Func<Task<T>> call)
    {
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (DateTime.UtcNow < _deadline && e is not Xunit.Sdk.XunitException)
            {
                Interlocked.Increment(ref _retries);
                await Task.Delay(250);
            }
        }
    }
}
