using System.Collections.Concurrent;
using System.Collections.Immutable;
using Marketing.Grains.Events;
using Microsoft.Extensions.Logging;

namespace Marketing.Grains.Users;

/// <summary>
/// Holds the events a shopper's activation took but did not write, and gives them to its next activation, which
/// applies those it does not hold yet (by event id). Two cases reach it. When a silo dies, Orleans' default directory
/// deactivates every activation on the other silos whose directory entry the dead silo held, about half of them with
/// two silos, all at once: those shoppers hand their events over instead of all writing together while calls for
/// them wait. And a deactivation whose write fails (storage overwhelmed, or Orleans stopped waiting after 30 s)
/// hands them over rather than lose them from state: the log holds them, but only a dead silo's tail is replayed.
/// <para>
/// A next activation on this silo takes its events as it starts (<see cref="TryTake"/>), before any call, and writes
/// them behind like any others: this silo's <see cref="WriteBehindTracker"/> still counts the shopper dirty, so the
/// log's checkpoint stays before them until then. Events nobody took within <see cref="DeliveryDelay"/> are delivered
/// (<see cref="IUserRecoveryGrain.Adopt"/>), a few at a time; an activation on another silo writes them at once, and
/// this silo then counts the shopper clean. Failed deliveries back off from 1 s to a minute, ten in all.
/// </para>
/// </summary>
public sealed partial class UnsavedHandOff(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    WriteBehindTracker tracker,
    TimeProvider time,
    ILogger<UnsavedHandOff> logger)
{
    /// <summary>How long events wait for the shopper's next activation on this silo before they are delivered to it.</summary>
    public static readonly TimeSpan DeliveryDelay = TimeSpan.FromSeconds(2);

    private const int Attempts = 10;
    private const int ConcurrentDeliveries = 16;
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, IReadOnlyList<LoggedEvent>> _held = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _deliveries = new(ConcurrentDeliveries);

    /// <summary>Shoppers whose unsaved events are waiting for their next activation.</summary>
    public int Waiting => _held.Count;

    public void HandOff(string shopper, IReadOnlyList<LoggedEvent> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        // A second hand-off before the first was taken (the next activation also went away): one delivery takes both.
        _held.AddOrUpdate(shopper, records, (_, held) => [.. held, .. records]);
        _ = Task.Run(() => DeliverAsync(shopper));
    }

    /// <summary>The events handed off for <paramref name="shopper"/>, if any are still waiting; they are the caller's from now.</summary>
    public IReadOnlyList<LoggedEvent>? TryTake(string shopper) => _held.TryRemove(shopper, out var records) ? records : null;

    private async Task DeliverAsync(string shopper)
    {
        await Task.Delay(DeliveryDelay, time);
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            IReadOnlyList<LoggedEvent>? records = null;
            await _deliveries.WaitAsync();
            try
            {
                // Taken by an activation meanwhile, or by another delivery of the same shopper: nothing left to do.
                if ((records = TryTake(shopper)) is null)
                {
                    return;
                }

                var unsaved = records.Select(r => new UnsavedEvent(r.Seq, r.LoggedAt, r.Source, r.Bot, r.Event)).ToImmutableArray();
                var adoption = await grains.GetGrain<IUserRecoveryGrain>(shopper).Adopt(unsaved, silo.SiloAddress);
                if (adoption.Written)
                {
                    // Written by an activation elsewhere: this silo's checkpoint need not wait for the shopper any more,
                    // unless it logged more here since (a later activation on this silo marks it dirty anew).
                    tracker.CleanIfDirtySinceAtMost(shopper, records.Max(r => r.LoggedAt));
                }

                LogAdopted(shopper, adoption.Applied, records.Count);
                return;
            }
            catch (Exception ex) when (attempt < Attempts)
            {
                LogRetrying(shopper, attempt, ex.Message);
            }
            catch (Exception ex)
            {
                LogGaveUp(ex, shopper, records?.Count ?? 0);
                return;
            }
            finally
            {
                _deliveries.Release();
            }

            // Kept for the next activation here in the meantime.
            _held.AddOrUpdate(shopper, records!, (_, held) => [.. records!, .. held]);
            await Task.Delay(delay, time);
            delay = delay * 2 < LongestDelay ? delay * 2 : LongestDelay;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopper {Shopper} took back {Applied} of the {Unsaved} events its last activation did not write")]
    private partial void LogAdopted(string shopper, int applied, int unsaved);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} could not take back its unsaved events yet (attempt {Attempt}): {Reason}")]
    private partial void LogRetrying(string shopper, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shopper {Shopper} could not take back {Unsaved} unsaved events; the log still holds them, and this silo's checkpoint stays before them")]
    private partial void LogGaveUp(Exception ex, string shopper, int unsaved);
}
