namespace Marketing.Grains.Search;

/// <summary>
/// The small mark beside a shard's snapshot that says whether changes were made since the snapshot was written. It is
/// set in storage before a change is applied (and acknowledged), and cleared only after a snapshot that holds every
/// change: a shard that activates with it set crashed, and repairs itself from the products.
/// </summary>
internal sealed class ShardSnapshotMark(IPersistentState<ProductIndexMark> mark)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    // True only while storage surely holds SnapshotBehind = true: a change waits for that, not for the in-memory flag.
    private bool _stored;

    /// <summary>Whether the last activation left the mark set (it stopped before a snapshot held its changes). Read once, at activation.</summary>
    public bool LeftSet()
    {
        _stored = mark.State.SnapshotBehind;
        return _stored;
    }

    /// <summary>Before a change is applied: storage must say the snapshot lacks it.</summary>
    public Task SetAsync() => _stored ? Task.CompletedTask : WriteAsync(behind: true, mayClear: static () => false);

    /// <summary>
    /// After a snapshot was written: clears the mark if <paramref name="mayClear"/> still holds once it is this
    /// write's turn (no change came after the snapshot, and no repair runs: a crash in the middle of one must repair again).
    /// </summary>
    public Task ClearAsync(Func<bool> mayClear) => WriteAsync(behind: false, mayClear);

    /// <summary>One write at a time: a second would race the first's etag.</summary>
    private async Task WriteAsync(bool behind, Func<bool> mayClear)
    {
        await _gate.WaitAsync();
        try
        {
            if (behind ? _stored : !mark.State.SnapshotBehind || !mayClear())
            {
                return;
            }

            // Changes that come while the mark is being cleared wait at the gate, then set it again.
            _stored = false;
            mark.State.SnapshotBehind = behind;
            try
            {
                await mark.WriteStateAsync();
                _stored = behind;
            }
            catch
            {
                // What storage holds is unknown now: keep the flag set, and let the next change write it again.
                mark.State.SnapshotBehind = true;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
