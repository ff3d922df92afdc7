namespace Marketing.Grains.Storage;

/// <summary>
/// Write-behind for one grain's state: the first change schedules a single write after a delay, later changes ride
/// along with it. The timer does not keep the grain alive; deactivation flushes what is pending.
/// </summary>
internal sealed class DeferredWrite(IGrainBase grain, Func<Task> write, Func<TimeSpan> delay)
{
    private IGrainTimer? _timer;

    public bool IsPending { get; private set; }

    public void Schedule()
    {
        IsPending = true;
        _timer ??= grain.RegisterGrainTimer(
            FireAsync,
            new GrainTimerCreationOptions(delay(), Timeout.InfiniteTimeSpan) { KeepAlive = false });
    }

    /// <summary>Writes now if a write is pending (the timer is dropped either way).</summary>
    public async Task FlushAsync()
    {
        Cancel();
        if (!IsPending)
        {
            return;
        }

        IsPending = false;
        try
        {
            await write();
        }
        catch
        {
            // Keep the change; the next timer or deactivation tries again.
            Schedule();
            throw;
        }
    }

    /// <summary>Forgets the pending write (after the state was written another way, or removed).</summary>
    public void Reset()
    {
        Cancel();
        IsPending = false;
    }

    private void Cancel()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private Task FireAsync(CancellationToken cancellationToken) => FlushAsync();
}
