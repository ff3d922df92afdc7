namespace Marketing.Grains.Storage;

/// <summary>
/// For reentrant grains that many callers change at once (directories): callers that change state while a write
/// is in flight share the next write instead of each queueing their own. Every caller's change is durable when
/// its task completes.
/// </summary>
internal sealed class CoalescingWrite(Func<Task> write)
{
    private Task _last = Task.CompletedTask;
    private Task? _next;

    public Task WriteAsync() => _next ??= WriteAfterAsync(_last);

    private async Task WriteAfterAsync(Task previous)
    {
        // Return to the caller first, so _next is set before this write can begin.
        await Task.Yield();
        try
        {
            await previous;
        }
        catch
        {
            // That write's callers saw its failure; this write carries their changes again.
        }

        _next = null;
        var current = write();
        _last = current;
        await current;
    }
}
