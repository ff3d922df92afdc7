using System.Collections.Concurrent;
using System.Collections.Immutable;
using Marketing.Grains.Events;
using Microsoft.Extensions.Logging;

namespace Marketing.Grains.Shoppers;

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
/// (<see cref="IShopperRecoveryGrain.Adopt"/>), a few at a time; an activation on another silo writes them at once, and
/// this silo then counts the shopper clean. Failed deliveries back off from 1 s to a minute, ten in all.
/// </para>
/// <para>
/// A next activation on another silo may come first: a call for the shopper arrives there before the delivery.
/// For a while after a silo died (<see cref="PeerWindow"/>, seen here or already dead when this silo started), a new
/// activation therefore asks every other active silo for its events (<see cref="PeersToAsk"/>,
/// <see cref="IUnsavedHandOffGrain"/>) before it serves anything, until that silo answers, at least
/// <see cref="PeerQuietAfter"/> after the death, that it holds nobody's events: a restarted silo replaying the dead
/// one's tail activates thousands of shoppers, and each ask is a round trip before the shopper serves.
/// </para>
/// </summary>
public sealed partial class UnsavedHandOff(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IClusterMembershipService membership,
    WriteBehindTracker tracker,
    TimeProvider time,
    ILogger<UnsavedHandOff> logger)
{
    /// <summary>
    /// How long after a silo's death new activations ask the other silos for handed-off events: hand-offs are
    /// made as the death becomes known and delivered within seconds, or kept through retries for a few minutes.
    /// </summary>
    public static readonly TimeSpan PeerWindow = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How long after a death a silo is asked even when it answers that it holds nothing: it may not have handled
    /// the death yet, and Orleans deactivates the activations whose directory entries died over a moment, not at once.
    /// </summary>
    public static readonly TimeSpan PeerQuietAfter = TimeSpan.FromSeconds(10);

    /// <summary>How long events wait for the shopper's next activation on this silo before they are delivered to it.</summary>
    public static readonly TimeSpan DeliveryDelay = TimeSpan.FromSeconds(2);

    private const int Attempts = 10;
    private const int ConcurrentDeliveries = 16;
    private static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, IReadOnlyList<LoggedEvent>> _held = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _deliveries = new(ConcurrentDeliveries);
    private readonly Lock _deathsLock = new();
    private readonly HashSet<SiloAddress> _deadSeen = [];
    private readonly HashSet<SiloAddress> _peersEmptied = [];
    private MembershipVersion _versionSeen = MembershipVersion.MinValue;
    private long? _lastDeathSeen;

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

    /// <summary>The events waiting for <paramref name="shopper"/>, left in place (for an activation on another silo to copy).</summary>
    public IReadOnlyList<LoggedEvent>? Peek(string shopper) => _held.TryGetValue(shopper, out var records) ? records : null;

    /// <summary>
    /// An activation elsewhere stored the copied events logged up to <paramref name="loggedUpTo"/>: they are dropped
    /// here, and this silo's checkpoint need not wait for them.
    /// </summary>
    public void Release(string shopper, DateTimeOffset loggedUpTo)
    {
        while (_held.TryGetValue(shopper, out var held))
        {
            IReadOnlyList<LoggedEvent> rest = [.. held.Where(r => r.LoggedAt > loggedUpTo)];
            if (rest.Count == 0 ? _held.TryRemove(KeyValuePair.Create(shopper, held)) : _held.TryUpdate(shopper, rest, held))
            {
                break;
            }
        }

        tracker.CleanIfDirtySinceAtMost(shopper, loggedUpTo);
    }

    /// <summary>
    /// The other active silos a new activation should ask for its handed-off events: none, unless a silo died less
    /// than <see cref="PeerWindow"/> ago, and then not those that answered they hold nothing
    /// (<see cref="PeerAnswered"/>). No I/O: the membership snapshot is compared by version.
    /// </summary>
    public IReadOnlyList<SiloAddress> PeersToAsk()
    {
        var snapshot = membership.CurrentSnapshot;
        var now = time.GetTimestamp();
        lock (_deathsLock)
        {
            if (snapshot.Version != _versionSeen)
            {
                _versionSeen = snapshot.Version;
                foreach (var member in snapshot.Members.Values)
                {
                    // A death already known when this silo started counts too: it may be the dead one's restart.
                    if (member.Status == SiloStatus.Dead && _deadSeen.Add(member.SiloAddress))
                    {
                        _lastDeathSeen = now;
                        _peersEmptied.Clear();
                    }
                }
            }

            if (_lastDeathSeen is not { } death || time.GetElapsedTime(death, now) >= PeerWindow)
            {
                return [];
            }

            return [.. snapshot.Members.Values
                .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(silo.SiloAddress) && !_peersEmptied.Contains(m.SiloAddress))
                .Select(m => m.SiloAddress)];
        }
    }

    /// <summary>
    /// <paramref name="peer"/> answered that it holds <paramref name="waiting"/> shoppers' events: once none, and
    /// <see cref="PeerQuietAfter"/> after the last death, it is not asked again until another silo dies.
    /// </summary>
    public void PeerAnswered(SiloAddress peer, int waiting)
    {
        if (waiting > 0)
        {
            return;
        }

        var now = time.GetTimestamp();
        lock (_deathsLock)
        {
            if (_lastDeathSeen is { } death && time.GetElapsedTime(death, now) >= PeerQuietAfter)
            {
                _peersEmptied.Add(peer);
            }
        }
    }

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

                var unsaved = records.Select(UnsavedEvent.Of).ToImmutableArray();
                var adoption = await grains.GetGrain<IShopperRecoveryGrain>(shopper).Adopt(unsaved, silo.SiloAddress);
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
