using System.Collections.Immutable;
using Marketing.Grains.Events;
using Microsoft.Extensions.Logging;

namespace Marketing.Grains.Users;

/// <summary>
/// Takes the events a shopper could not write when it was deactivated and gives them to its next activation, which
/// applies those it does not hold yet (by event id) and writes them. When a silo dies, Orleans' default directory
/// deactivates every activation on the other silos whose directory entry the dead silo held, about half of them with
/// two silos, all at once; their writes then queue at storage, and writes still running when Orleans stops waiting
/// (30 s) fail. The log holds the events either way, but only a dead silo's tail is replayed, so without this the
/// shopper's state would go on without them. Attempts back off from 1 s to a minute, ten in all.
/// </summary>
public sealed partial class UnsavedHandOff(IGrainFactory grains, TimeProvider time, ILogger<UnsavedHandOff> logger)
{
    private const int Attempts = 10;
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(1);

    private int _waiting;

    /// <summary>Shoppers whose unsaved events are waiting for their next activation.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void HandOff(string shopper, IReadOnlyList<LoggedEvent> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        var unsaved = records.Select(r => new UnsavedEvent(r.Seq, r.LoggedAt, r.Source, r.Bot, r.Event)).ToImmutableArray();
        Interlocked.Increment(ref _waiting);
        _ = Task.Run(() => AdoptAsync(shopper, unsaved));
    }

    private async Task AdoptAsync(string shopper, ImmutableArray<UnsavedEvent> unsaved)
    {
        try
        {
            var delay = FirstDelay;
            for (var attempt = 1; ; attempt++)
            {
                await Task.Delay(delay, time);
                try
                {
                    var applied = await grains.GetGrain<IUserRecoveryGrain>(shopper).Adopt(unsaved);
                    LogAdopted(shopper, applied, unsaved.Length);
                    return;
                }
                catch (Exception ex) when (attempt < Attempts)
                {
                    LogRetrying(shopper, attempt, ex.Message);
                    delay = delay * 2 < LongestDelay ? delay * 2 : LongestDelay;
                }
                catch (Exception ex)
                {
                    LogGaveUp(ex, shopper, unsaved.Length);
                    return;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopper {Shopper} took back {Applied} of the {Unsaved} events its deactivation could not write")]
    private partial void LogAdopted(string shopper, int applied, int unsaved);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} could not take back its unsaved events yet (attempt {Attempt}): {Reason}")]
    private partial void LogRetrying(string shopper, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shopper {Shopper} could not take back {Unsaved} unsaved events; the log still holds them, and this silo's checkpoint stays before them")]
    private partial void LogGaveUp(Exception ex, string shopper, int unsaved);
}
