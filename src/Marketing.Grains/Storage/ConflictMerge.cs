using Orleans.Storage;

namespace Marketing.Grains.Storage;

/// <summary>
/// After a state write failed its ETag check because another activation of the grain wrote first (Orleans' directory
/// can briefly let two run while silos join or leave): the stored state is read back, this activation puts its
/// unsaved changes on top of it, and the result is written, with up to three tries while the other keeps writing.
/// </summary>
internal static class ConflictMerge
{
    private const int Attempts = 3;

    /// <param name="state">The grain's state, whose write just failed.</param>
    /// <param name="reapply">Puts this activation's unsaved changes on the freshly read state.</param>
    public static async Task WriteMergedAsync<T>(IPersistentState<T> state, Func<Task> reapply)
    {
        for (var attempt = 1; ; attempt++)
        {
            await state.ReadStateAsync();
            await reapply();
            try
            {
                await state.WriteStateAsync();
                return;
            }
            catch (InconsistentStateException) when (attempt < Attempts)
            {
                // Written yet again in between: read it once more.
            }
        }
    }
}
