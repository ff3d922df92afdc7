using System.Collections.Immutable;
using System.Runtime.ExceptionServices;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Products;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Marketing.Grains.Shoppers;

/// <summary>Lets the silo's recovery service wake a shopper so it replays a dead silo's log tail.</summary>
[Alias("mk.IUserRecoveryGrain")]
public interface IShopperRecoveryGrain : IGrainWithStringKey
{
    /// <summary>Applies any pending log records; returns how many were applied by this call.</summary>
    [Alias("Recover")]
    Task<int> Recover();

    /// <summary>
    /// Applies the events an earlier activation on <paramref name="from"/> did not write (any held already, by event
    /// id, are skipped). On that same silo they are written behind like any others; on another they are written at once.
    /// </summary>
    [Alias("Adopt")]
    Task<Adoption> Adopt(ImmutableArray<UnsavedEvent> unsaved, SiloAddress from);
}

/// <summary>What <see cref="IShopperRecoveryGrain.Adopt"/> did: events applied, and whether the state holding them is written.</summary>
[GenerateSerializer, Immutable, Alias("mk.Adoption")]
public readonly record struct Adoption([property: Id(0)] int Applied, [property: Id(1)] bool Written);

/// <summary>
/// One shopper. Events are acknowledged once the durable log has them; state follows behind (the silo's
/// <see cref="WriteBehindScheduler"/> says when), and any gap left by a crash is closed from the log when the grain
/// next activates.
/// </summary>
// Shoppers are many, small and alike: random placement spreads them evenly over the silos from the first call, where
// the default resource-optimised placement keeps new activations on the receiving silo until load statistics differ.
[Orleans.Placement.RandomPlacement]
// The grain type (and so every stored state's key) keeps the name it had before "user" became "shopper" in code.
[GrainType("user")]
public sealed partial class ShopperGrain : Grain, IShopperGrain, IShopperRecoveryGrain, IShopperInterest, IWriteBehindGrain
{
    private readonly IPersistentState<ShopperState> _state;
    private readonly IEventLog _log;
    private readonly IEventLogRecovery _recovery;
    private readonly WriteBehindTracker _tracker;
    private readonly ShopperEventFeed _feed;
    private readonly ProductEmbeddingCache _productEmbeddings;
    private readonly UnsavedHandOff _handOff;
    private readonly EventIntakeOptions _options;
    private readonly InterestOptions _interest;
    private readonly TimeProvider _time;
    private readonly ILogger<ShopperGrain> _logger;
    private readonly DeferredWrite _write;
    private bool _shuttingDown;

    /// <summary>Most unsaved events kept for a merge (while storage refuses writes they would pile up otherwise).</summary>
    private const int MaxUnsaved = 512;

    /// <summary>How long a new activation waits for another silo to say whether it holds handed-off events.</summary>
    private static readonly TimeSpan PeerHandOffTimeout = TimeSpan.FromSeconds(2);

    // What this activation applied since its state was last written: needed again if another activation wrote first.
    private readonly UnsavedEventBuffers _unsavedBuffers;
    private readonly Serializer<UnsavedEvent> _unsavedSerializer;
    private UnsavedEvents? _unsaved;

    public ShopperGrain(
        [PersistentState("shopper", StorageNames.GrainState)] IPersistentState<ShopperState> state,
        IEventLog log,
        IEventLogRecovery recovery,
        WriteBehindTracker tracker,
        WriteBehindScheduler scheduler,
        ShopperEventFeed feed,
        ProductEmbeddingCache productEmbeddings,
        UnsavedHandOff handOff,
        UnsavedEventBuffers unsavedBuffers,
        Serializer<UnsavedEvent> unsavedSerializer,
        IOptions<EventIntakeOptions> options,
        IOptions<InterestOptions> interest,
        TimeProvider time,
        ILogger<ShopperGrain> logger)
    {
        _state = state;
        _log = log;
        _recovery = recovery;
        _tracker = tracker;
        _feed = feed;
        _productEmbeddings = productEmbeddings;
        _handOff = handOff;
        _options = options.Value;
        _interest = interest.Value;
        _time = time;
        _logger = logger;
        _write = new DeferredWrite(this, scheduler, () => WriteStateAsync(foldInterest: !_shuttingDown), _options.StateFlushInterval);
        _unsavedBuffers = unsavedBuffers;
        _unsavedSerializer = unsavedSerializer;
    }

    // Decoded from the grain id on every call (Track takes it once for all its records); not kept, as it would cost an
    // idle shopper 150 bytes for good.
    private string Shopper => this.GetPrimaryKeyString();

    private ShopperState State => _state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ApplyPendingAsync(cancellationToken);
        if (_handOff.TryTake(Shopper) is { } handedOff)
        {
            // The previous activation here went away without writing these; this silo still counts the shopper dirty.
            await AdoptAsync(handedOff, writeBehind: true);
        }

        foreach (var peer in _handOff.PeersToAsk())
        {
            await TakeHandOffFromAsync(peer);
        }
    }

    /// <summary>
    /// Takes what an earlier activation on <paramref name="peer"/> handed off and did not deliver yet (a silo died
    /// lately; its directory entries went with it, so this activation may have come first), writes it, and tells
    /// the peer so its checkpoint may pass those events. A peer that does not answer in time is left to deliver.
    /// </summary>
    private async Task TakeHandOffFromAsync(SiloAddress peer)
    {
        var holder = GrainFactory.GetGrain<IUnsavedHandOffGrain>(peer.ToParsableString());
        ImmutableArray<UnsavedEvent> taken;
        try
        {
            var copy = await holder.Take(Shopper).WaitAsync(PeerHandOffTimeout);
            _handOff.PeerAnswered(peer, copy.Waiting);
            taken = copy.Events;
        }
        catch (Exception ex)
        {
            LogPeerHandOffUnanswered(Shopper, peer, ex.Message);
            return;
        }

        if (taken.IsEmpty)
        {
            return;
        }

        var records = taken.Select(e => e.ToLogged(Shopper)).ToList();
        try
        {
            var applied = await AdoptAsync(records, writeBehind: false);
            await holder.Written(Shopper, records.Max(r => r.LoggedAt));
            LogTookPeerHandOff(Shopper, applied, records.Count, peer);
        }
        catch (Exception ex)
        {
            // Held here unwritten and written behind; the peer's checkpoint stays before them, so a crash of either
            // silo replays them.
            LogPeerHandOffNotWritten(ex, Shopper, peer);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.DirectoryFailure && _unsaved is not { Dropped: > 0 })
        {
            // A silo died and took this activation's directory entry with it; Orleans deactivates every such
            // activation at once. Writing them all would queue thousands of writes at storage while calls for these
            // shoppers wait, so the events go to the next activation instead (the log holds them, and this silo's
            // checkpoint stays before them). A pending interest fold is left: the touches are still pending in storage.
            _write.Reset();
            HandOffUnsaved();
            ForgetUnsaved();
            return;
        }

        // A stopping silo writes every shopper it holds, and a fold would ask product grains and the encoder for
        // vectors while the silo can no longer place them (on the last silo, every such call failed with an error
        // logged). The touches are stored unfolded; the next activation folds them.
        _shuttingDown = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        try
        {
            await _write.FlushAsync();
        }
        catch (Exception ex)
        {
            // The log holds these events, but only a dead silo's tail is replayed: the next activation takes them.
            // By now Orleans may have given up on this deactivation and disposed its services, so nothing here may
            // ask the activation for anything.
            LogFlushFailed(ex, Shopper);
            HandOffUnsaved();
        }
    }

    private void HandOffUnsaved()
    {
        if (_unsaved is { Count: > 0 } unsaved)
        {
            _handOff.HandOff(Shopper, unsaved.Read(Shopper));
        }
    }

    public async Task<TrackResult> Track(ImmutableArray<ShopperEvent> events, EventSource source)
    {
        var now = _time.GetUtcNow();
        var errors = new List<FieldError>();
        for (var i = 0; i < events.Length; i++)
        {
            ShopperEventValidator.Validate(events[i], $"events[{i}]", now, errors);
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var accepted = new List<ShopperEvent>(events.Length);
        var inBatch = new HashSet<long>();
        foreach (var e in events)
        {
            var hash = ShopperHistory.EventIdHash(e.EventId);
            if (!ShopperHistory.SeenRecently(State, hash) && inBatch.Add(hash))
            {
                accepted.Add(e);
            }
        }

        var duplicates = events.Length - accepted.Count;
        if (accepted.Count == 0)
        {
            return new TrackResult(0, duplicates, State.IsBot, _options.DedupeWindow);
        }

        var bot = State.IsBot
            || (source == EventSource.Live && ShopperHistory.ExceedsRate(State, accepted.Count, now, _options.BotEventsPerSecond));
        if (bot && !State.IsBot)
        {
            LogFlaggedAsBot(Shopper, State.RateCount);
        }

        var shopper = Shopper;
        var stamp = _tracker.Stamp(shopper);
        var records = new LoggedEvent[accepted.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new LoggedEvent(shopper, State.Seq + 1 + i, stamp, source, bot, accepted[i]);
        }

        try
        {
            await _log.AppendAsync(records);
        }
        catch
        {
            if (!_write.IsPending)
            {
                _tracker.Clean(shopper);
            }

            throw;
        }

        foreach (var record in records)
        {
            ShopperHistory.Apply(State, record, _options, _interest.MaxPending);
        }

        KeepUnsaved(records);

        // Durable now: the silo's subscribers get the records off this call's path.
        _feed.Publish(records);

        _write.Schedule();
        return new TrackResult(records.Length, duplicates, bot, _options.DedupeWindow);
    }

    public Task<ShopperView> Get() => Task.FromResult(ShopperHistory.ToView(Shopper, State));

    public async Task<ShopperView> UpdateProfile(ImmutableDictionary<string, string?> attributes)
    {
        var errors = ProfileRules.Validate(attributes);
        var merged = new Dictionary<string, string>(State.Attributes ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value;
            }
        }

        if (merged.Count > ProfileRules.MaxAttributes)
        {
            errors.Add(new("attributes", $"a shopper keeps at most {ProfileRules.MaxAttributes} attributes"));
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        State.Attributes = merged.Count == 0 ? null : merged;
        State.Exists = true;
        await WriteNowAsync(ownChange: true);
        return ShopperHistory.ToView(Shopper, State);
    }

    public async Task<ShopperView> SetConsent(ConsentUpdate update)
    {
        State.Consent = new Consent(
            update.Personalisation ?? State.Consent.Personalisation,
            update.Marketing ?? State.Consent.Marketing,
            _time.GetUtcNow());
        if (!State.Consent.Personalisation)
        {
            // Refusing personalisation forgets what was learnt from behaviour, not just stops using it.
            State.InterestEmbedding = null;
            State.PendingInterest = null;
        }

        State.Exists = true;
        await WriteNowAsync(ownChange: true);
        return ShopperHistory.ToView(Shopper, State);
    }

    public async Task<ErasureReceipt> Erase()
    {
        var erasedAt = _time.GetUtcNow();

        // The erasure goes to the log first: if we crash after it, recovery will not resurrect the shopper.
        await _log.RecordErasureAsync(new Erasure(Shopper, erasedAt));
        try
        {
            await _state.ClearStateAsync();
        }
        catch (InconsistentStateException)
        {
            // Another activation wrote meanwhile; the erasure wins over whatever it stored.
            await _state.ReadStateAsync();
            await _state.ClearStateAsync();
        }
        _state.State = new ShopperState();
        ForgetUnsaved();
        _write.Reset();
        _tracker.Clean(Shopper);
        LogErased(Shopper);
        DeactivateOnIdle();
        return new ErasureReceipt(Shopper, erasedAt);
    }

    public async Task<int> Recover()
    {
        var applied = await ApplyPendingAsync(CancellationToken.None);
        if (_write.IsPending)
        {
            // The recovery service retires the tail once every shopper in it has answered, so whatever this activation
            // holds unwritten is stored first: the tail's records, however they reached it (replayed here, or handed
            // over by an earlier activation that had replayed them). The recovered touches are stored unfolded: the
            // products they name may be the dead silo's too, still coming back.
            await WriteNowAsync(foldInterest: false);
        }

        return applied;
    }

    public async Task<Adoption> Adopt(ImmutableArray<UnsavedEvent> unsaved, SiloAddress from)
    {
        var records = unsaved.Select(e => e.ToLogged(Shopper));
        var here = from.Equals(GrainContext.Address.SiloAddress);
        return new Adoption(await AdoptAsync(records, writeBehind: here), Written: !here);
    }

    /// <summary>
    /// Applies handed-off events not held yet. On the silo that logged them (<paramref name="writeBehind"/>) its
    /// tracker still counts the shopper dirty, so they are written behind like any others; elsewhere that tracker
    /// never saw them, so they are written now.
    /// </summary>
    private async Task<int> AdoptAsync(IEnumerable<LoggedEvent> records, bool writeBehind)
    {
        var applied = ApplyNotHeld(records, await _log.ErasedAtAsync(Shopper));
        if (applied.Count == 0)
        {
            if (writeBehind && !_write.IsPending)
            {
                // Stored already (an activation elsewhere wrote them): nothing of this silo's is waiting for a write.
                _tracker.Clean(Shopper);
            }

            return 0;
        }

        KeepUnsaved(applied);
        if (writeBehind)
        {
            _write.Schedule();
        }
        else
        {
            await WriteNowAsync(foldInterest: false);
        }

        return applied.Count;
    }

    public Task FlushWriteBehind() => _write.OnDueAsync();

    public async Task<float[]?> GetInterestEmbedding()
    {
        if (await FoldInterestAsync())
        {
            _write.Schedule();
        }

        return State.Consent.Personalisation && State.InterestEmbedding is { } sum ? Ml.Shoppers.InterestEmbedding.Direction(sum) : null;
    }

    /// <summary>
    /// Folds the touched products into the interest. Runs just before each state write and on read, never per event:
    /// event intake stays free of product lookups, and a burst of events shares one round of them.
    /// </summary>
    private async Task<bool> FoldInterestAsync()
    {
        try
        {
            return await ShopperInterest.FoldPendingAsync(State, GrainFactory, _productEmbeddings, _interest);
        }
        catch (Exception ex)
        {
            // The touches stay pending (and are stored with the state); the next write or read tries again.
            LogInterestDeferred(ex, Shopper);
            return false;
        }
    }

    private async Task<int> ApplyPendingAsync(CancellationToken cancellationToken)
    {
        var pending = await _recovery.PendingFor(Shopper, cancellationToken);
        var applied = 0;
        foreach (var record in pending)
        {
            if (record.Seq > State.Seq)
            {
                ShopperHistory.Apply(State, record, _options, _interest.MaxPending);
                KeepUnsaved([record]);
                applied++;
            }
        }

        if (applied > 0)
        {
            // Written behind, not before the call that woke this shopper is served: after a silo dies thousands of
            // its shoppers wake at once, and the recovery service, which must see them stored before it retires the
            // tail, asks each one (Recover) a few at a time.
            _write.Schedule();
            LogRecovered(Shopper, applied);
        }

        return applied;
    }

    /// <param name="foldInterest">Fold the touched products into the interest first.</param>
    /// <param name="ownChange">
    /// The write carries a change of the caller's besides logged events (profile, consent): if another activation
    /// wrote first, the merge keeps the events but not that change, and the caller is told to retry.
    /// </param>
    private async Task WriteNowAsync(bool foldInterest = true, bool ownChange = false)
    {
        _write.Reset();
        try
        {
            await WriteStateAsync(foldInterest, ownChange);
        }
        catch
        {
            _write.Schedule();
            throw;
        }
    }

    private async Task WriteStateAsync(bool foldInterest = true, bool ownChange = false)
    {
        if (foldInterest)
        {
            await FoldInterestAsync();
        }

        InconsistentStateException? conflict = null;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException e)
        {
            await MergeIntoStoredAsync();
            conflict = e;
        }

        ForgetUnsaved();
        _tracker.Clean(Shopper);
        if (conflict is not null && ownChange)
        {
            ExceptionDispatchInfo.Throw(conflict);
        }
    }

    private void KeepUnsaved(IEnumerable<LoggedEvent> records) =>
        (_unsaved ??= new UnsavedEvents(_unsavedBuffers, _unsavedSerializer, MaxUnsaved)).Add(records);

    private void ForgetUnsaved()
    {
        _unsaved?.Clear();
        _unsaved = null;
    }

    /// <summary>
    /// Another activation of this shopper wrote its state after this one read it: Orleans' directory can briefly
    /// let two run while silos join or leave. Both acknowledged events, all in the log, so neither may simply win:
    /// the stored state is read back, this activation's unsaved events are applied on top (any it already holds,
    /// by event id, are skipped; none logged before an erasure come back), and it is written again. This activation
    /// then retires, so later calls find the one the directory names.
    /// </summary>
    private async Task MergeIntoStoredAsync()
    {
        var mine = _unsaved?.Read(Shopper) ?? [];
        var dropped = _unsaved?.Dropped ?? 0;
        var merged = 0;
        await ConflictMerge.WriteMergedAsync(_state, async () =>
        {
            var erasedAt = State.Exists ? null : await _log.ErasedAtAsync(Shopper);
            merged = ApplyNotHeld(mine, erasedAt).Count;
        });
        LogMerged(Shopper, merged, mine.Count + dropped);
        DeactivateOnIdle();
    }

    /// <summary>Applies the records the state does not hold yet (by event id), leaving out any logged before an erasure; returns those applied.</summary>
    private List<LoggedEvent> ApplyNotHeld(IEnumerable<LoggedEvent> records, DateTimeOffset? erasedAt)
    {
        var applied = new List<LoggedEvent>();
        foreach (var record in records)
        {
            if ((erasedAt is null || record.LoggedAt > erasedAt)
                && !ShopperHistory.SeenRecently(State, ShopperHistory.EventIdHash(record.Event.EventId)))
            {
                ShopperHistory.Apply(State, record, _options, _interest.MaxPending);
                applied.Add(record);
            }
        }

        return applied;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} was written by another activation meanwhile; merged {Merged} of its {Unsaved} unsaved events into the stored state")]
    private partial void LogMerged(string shopper, int merged, int unsaved);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} flagged as a bot after {Count} events in one second")]
    private partial void LogFlaggedAsBot(string shopper, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopper {Shopper} erased")]
    private partial void LogErased(string shopper);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Shopper {Shopper} recovered {Count} events from the log")]
    private partial void LogRecovered(string shopper, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} could not update the interest embedding yet")]
    private partial void LogInterestDeferred(Exception ex, string shopper);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shopper {Shopper} could not write state on deactivation")]
    private partial void LogFlushFailed(Exception ex, string shopper);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopper {Shopper} took {Applied} of the {Unsaved} events its last activation, on {Peer}, handed off")]
    private partial void LogTookPeerHandOff(string shopper, int applied, int unsaved, SiloAddress peer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} could not ask {Peer} for handed-off events: {Reason}; that silo delivers them")]
    private partial void LogPeerHandOffUnanswered(string shopper, SiloAddress peer, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} took handed-off events from {Peer} but could not write them yet; they are written behind")]
    private partial void LogPeerHandOffNotWritten(Exception ex, string shopper, SiloAddress peer);
}
