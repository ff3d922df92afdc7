namespace Marketing.Grains.Storage;

/// <summary>
/// Write-behind for one grain's state: the first change asks the silo's <see cref="WriteBehindScheduler"/> for a
/// single write after a delay (spread ±25% so grains dirtied together do not write together), and later changes ride
/// along with it. Nothing here keeps the grain alive; deactivation flushes what is pending. The grain implements
/// <see cref="IWriteBehindGrain"/> by calling <see cref="OnDueAsync"/>.
/// </summary>
internal sealed class DeferredWrite(IGrainBase grain, WriteBehindScheduler scheduler, Func<Task> write, TimeSpan delay)
{
    private bool _scheduled;

    public bool IsPending { get; private set; }

    public void Schedule()
    {
        IsPending = true;
        if (!_scheduled)
        {
            _scheduled = true;
            scheduler.Schedule(grain.GrainContext.GrainId, delay * (0.75 + (Random.Shared.NextDouble() / 2)));
        }
    }

    /// <summary>The scheduler's call: the delay is over.</summary>
    public Task OnDueAsync()
    {
        _scheduled = false;
        return FlushAsync();
    }

    /// <summary>Writes now if a write is pending (the scheduled one is dropped either way).</summary>
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
            // Keep the change; the next scheduled write or the deactivation tries again.
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
        if (_scheduled)
        {
            _scheduled = false;
            scheduler.Cancel(grain.GrainContext.GrainId);
        }
    }
}
