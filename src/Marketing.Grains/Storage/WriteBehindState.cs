using System.Runtime.ExceptionServices;
using Orleans.Storage;

namespace Marketing.Grains.Storage;

/// <summary>
/// What a grain changed since its state was last written, kept so that the change is not lost when the state is not
/// written the usual way: another activation wrote first (put it on the stored state), or this activation goes away
/// without writing (hand it to the next one).
/// </summary>
internal interface IUnsavedChanges
{
    /// <summary>
    /// Whether a deactivation caused by a lost directory entry may hand these to the next activation instead of
    /// writing them (false when some were dropped and only a write keeps them).
    /// </summary>
    bool CanHandOff { get; }

    /// <summary>Puts the changes on the state just read back from storage; the merge writes it.</summary>
    Task ReapplyAsync();

    /// <summary>Gives the changes to the grain's next activation (the grain goes away without writing them).</summary>
    void HandOff();

    /// <summary>The state holding them is written, or they no longer count.</summary>
    void Forget();
}

/// <summary>
/// The durability mechanics of a grain whose state trails its changes, in one place for shoppers and product counters:
/// <list type="bullet">
/// <item>write-behind through the silo's <see cref="WriteBehindScheduler"/> (<see cref="Schedule"/>), or a write now;</item>
/// <item>after a race (another activation wrote first, which Orleans' directory allows briefly while silos join or
/// leave): the stored state is read back, the unsaved changes are put on it, it is written again, and this activation
/// retires, so later calls reach the one the directory names;</item>
/// <item>on deactivation: the pending write is made; when a silo's death took the directory entry (every such activation
/// is deactivated at once, and writing them all would queue thousands of writes while calls wait), or the write fails,
/// the unsaved changes go to the next activation instead.</item>
/// </list>
/// </summary>
internal sealed class WriteBehindState<T>
{
    private readonly IGrainBase _grain;
    private readonly IPersistentState<T> _state;
    private readonly IUnsavedChanges _unsaved;
    private readonly DeferredWrite _write;
    private readonly Func<Task>? _beforeWrite;

    // beforeWrite runs before a write (a shopper folds its interest), unless the caller of WriteNowAsync says not to;
    // never before a merge's rewrite.
    public WriteBehindState(
        IGrainBase grain, IPersistentState<T> state, IUnsavedChanges unsaved, WriteBehindScheduler scheduler, TimeSpan delay, Func<Task>? beforeWrite = null)
    {
        _grain = grain;
        _state = state;
        _unsaved = unsaved;
        _beforeWrite = beforeWrite;
        _write = new DeferredWrite(grain, scheduler, () => WriteAsync(reapplyOwn: null, prepare: true), delay);
    }

    /// <summary>Raised after every successful write (or merge) of the state.</summary>
    public event Action? Written;

    public T State => _state.State;

    public bool IsPending => _write.IsPending;

    /// <summary>A change was applied: write it behind.</summary>
    public void Schedule() => _write.Schedule();

    /// <summary>Forgets the pending write (the state was removed, or is left to the next activation).</summary>
    public void Reset() => _write.Reset();

    /// <summary>The scheduler's call (<see cref="IWriteBehindGrain.FlushWriteBehind"/>).</summary>
    public Task OnDueAsync() => _write.OnDueAsync();

    /// <summary>
    /// Writes now, with whatever is pending. <paramref name="reapplyOwn"/> is a change of the caller's besides the
    /// unsaved ones (a profile, a product record): if another activation wrote first, it is put on the stored state
    /// too when given; with <paramref name="throwOnRace"/> the caller is told (the merge keeps the unsaved changes but
    /// leaves the caller's own to a retry). <paramref name="prepare"/> false skips the <c>beforeWrite</c> step.
    /// </summary>
    public async Task WriteNowAsync(Action? reapplyOwn = null, bool throwOnRace = false, bool prepare = true)
    {
        _write.Reset();
        try
        {
            var race = await WriteAsync(reapplyOwn, prepare);
            if (race is not null && throwOnRace)
            {
                ExceptionDispatchInfo.Throw(race);
            }
        }
        catch
        {
            _write.Schedule();
            throw;
        }
    }

    /// <summary>Removes the stored state (the entity is deleted); over another activation's write, the removal wins.</summary>
    public async Task ClearAsync()
    {
        _write.Reset();
        _unsaved.Forget();
        try
        {
            await _state.ClearStateAsync();
        }
        catch (InconsistentStateException)
        {
            await _state.ReadStateAsync();
            await _state.ClearStateAsync();
        }
    }

    /// <summary>
    /// Writes what is pending, or hands it to the next activation (see the class summary); <paramref name="writeFailed"/>
    /// is told when the pending write failed and the changes were handed off instead.
    /// </summary>
    public async Task OnDeactivateAsync(DeactivationReason reason, Action<Exception> writeFailed)
    {
        if (reason.ReasonCode == DeactivationReasonCode.DirectoryFailure && _unsaved.CanHandOff)
        {
            _write.Reset();
            _unsaved.HandOff();
            _unsaved.Forget();
            return;
        }

        try
        {
            await _write.FlushAsync();
        }
        catch (Exception ex)
        {
            // By now Orleans may have given up on this deactivation and disposed its services, so nothing here may
            // ask the activation for anything.
            writeFailed(ex);
            _unsaved.HandOff();
        }
    }

    private async Task<InconsistentStateException?> WriteAsync(Action? reapplyOwn, bool prepare)
    {
        if (prepare && _beforeWrite is not null)
        {
            await _beforeWrite();
        }

        InconsistentStateException? race = null;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException e)
        {
            race = e;
            await ConflictMerge.WriteMergedAsync(_state, async () =>
            {
                reapplyOwn?.Invoke();
                await _unsaved.ReapplyAsync();
            });
            _grain.GrainContext.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "another activation wrote this grain's state"));
        }

        _unsaved.Forget();
        Written?.Invoke();
        return race;
    }
}
