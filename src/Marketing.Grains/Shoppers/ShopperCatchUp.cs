using System.Collections.Immutable;
using Marketing.Grains.Events;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// How a shopper activation catches up with events acknowledged but not in its stored state: a dead silo's log tail
/// (<see cref="IEventLogRecovery"/>), events its previous activation on this silo handed off, and events an earlier
/// activation on another silo handed off there (asked for while a death is recent, <see cref="UnsavedHandOff"/>).
/// </summary>
internal sealed partial class ShopperCatchUp(
    IGrainBase grain,
    Func<string> shopper,
    WriteBehindState<ShopperState> durable,
    ShopperUnsavedEvents unsaved,
    IEventLog log,
    IEventLogRecovery recovery,
    UnsavedHandOff handOff,
    WriteBehindTracker tracker,
    IGrainFactory grains,
    Action<ShopperState, LoggedEvent> apply,
    ILogger logger)
{
    /// <summary>How long a new activation waits for another silo to say whether it holds handed-off events.</summary>
    private static readonly TimeSpan PeerHandOffTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Before the activation serves anything: the log tail, then what was handed off here and elsewhere.</summary>
    public async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ApplyPendingAsync(cancellationToken);
        if (handOff.TryTake(shopper()) is { } handedOff)
        {
            // The previous activation here went away without writing these; this silo still counts the shopper dirty.
            await AdoptAsync(handedOff, writeBehind: true);
        }

        foreach (var peer in handOff.PeersToAsk())
        {
            await TakeHandOffFromAsync(peer);
        }
    }

    /// <summary>Applies pending log records and stores whatever is unwritten; see <see cref="IShopperRecoveryGrain.Recover"/>.</summary>
    public async Task<int> RecoverAsync()
    {
        var applied = await ApplyPendingAsync(CancellationToken.None);
        if (durable.IsPending)
        {
            // The recovery service retires the tail once every shopper in it has answered, so whatever this activation
            // holds unwritten is stored first: the tail's records, however they reached it (replayed here, or handed
            // over by an earlier activation that had replayed them). The recovered touches are stored unfolded: the
            // products they name may be the dead silo's too, still coming back.
            await durable.WriteNowAsync(prepare: false);
        }

        return applied;
    }

    /// <summary>See <see cref="IShopperRecoveryGrain.Adopt"/>.</summary>
    public async Task<Adoption> AdoptAsync(ImmutableArray<UnsavedEvent> events, SiloAddress from)
    {
        var records = events.Select(e => e.ToLogged(shopper()));
        var here = from.Equals(grain.GrainContext.Address.SiloAddress);
        return new Adoption(await AdoptAsync(records, writeBehind: here), Written: !here);
    }

    /// <summary>
    /// Takes what an earlier activation on <paramref name="peer"/> handed off and did not deliver yet (a silo died
    /// lately; its directory entries went with it, so this activation may have come first), writes it, and tells
    /// the peer so its checkpoint may pass those events. A peer that does not answer in time is left to deliver.
    /// </summary>
    private async Task TakeHandOffFromAsync(SiloAddress peer)
    {
        var holder = grains.GetGrain<IUnsavedHandOffGrain>(peer.ToParsableString());
        ImmutableArray<UnsavedEvent> taken;
        try
        {
            var copy = await holder.Take(shopper()).WaitAsync(PeerHandOffTimeout);
            handOff.PeerAnswered(peer, copy.Waiting);
            taken = copy.Events;
        }
        catch (Exception ex)
        {
            LogPeerHandOffUnanswered(shopper(), peer, ex.Message);
            return;
        }

        if (taken.IsEmpty)
        {
            return;
        }

        var records = taken.Select(e => e.ToLogged(shopper())).ToList();
        try
        {
            var applied = await AdoptAsync(records, writeBehind: false);
            await holder.Written(shopper(), records.Max(r => r.LoggedAt));
            LogTookPeerHandOff(shopper(), applied, records.Count, peer);
        }
        catch (Exception ex)
        {
            // Held here unwritten and written behind; the peer's checkpoint stays before them, so a crash of either
            // silo replays them.
            LogPeerHandOffNotWritten(ex, shopper(), peer);
        }
    }

    /// <summary>
    /// Applies handed-off events not held yet. On the silo that logged them (<paramref name="writeBehind"/>) its
    /// tracker still counts the shopper dirty, so they are written behind like any others; elsewhere that tracker
    /// never saw them, so they are written now.
    /// </summary>
    private async Task<int> AdoptAsync(IEnumerable<LoggedEvent> records, bool writeBehind)
    {
        var applied = unsaved.ApplyNotHeld(records, await log.ErasedAtAsync(shopper()));
        if (applied.Count == 0)
        {
            if (writeBehind && !durable.IsPending)
            {
                // Stored already (an activation elsewhere wrote them): nothing of this silo's is waiting for a write.
                tracker.Clean(shopper());
            }

            return 0;
        }

        unsaved.Keep(applied);
        if (writeBehind)
        {
            durable.Schedule();
        }
        else
        {
            await durable.WriteNowAsync(prepare: false);
        }

        return applied.Count;
    }

    private async Task<int> ApplyPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await recovery.PendingFor(shopper(), cancellationToken);
        var applied = 0;
        foreach (var record in pending)
        {
            if (record.Seq > durable.State.Seq)
            {
                apply(durable.State, record);
                unsaved.Keep([record]);
                applied++;
            }
        }

        if (applied > 0)
        {
            // Written behind, not before the call that woke this shopper is served: after a silo dies thousands of
            // its shoppers wake at once, and the recovery service, which must see them stored before it retires the
            // tail, asks each one (Recover) a few at a time.
            durable.Schedule();
            LogRecovered(shopper(), applied);
        }

        return applied;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shopper {Shopper} recovered {Count} events from the log")]
    private partial void LogRecovered(string shopper, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopper {Shopper} took {Applied} of the {Unsaved} events its last activation, on {Peer}, handed off")]
    private partial void LogTookPeerHandOff(string shopper, int applied, int unsaved, SiloAddress peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} could not ask {Peer} for handed-off events: {Reason}; that silo delivers them")]
    private partial void LogPeerHandOffUnanswered(string shopper, SiloAddress peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} took handed-off events from {Peer} but could not write them yet; they are written behind")]
    private partial void LogPeerHandOffNotWritten(Exception ex, string shopper, SiloAddress peer);
}
