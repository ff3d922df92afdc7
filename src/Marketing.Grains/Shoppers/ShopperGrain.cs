using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Conversations;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Products;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Marketing.Grains.Shoppers;

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
    private readonly WriteBehindTracker _tracker;
    private readonly ShopperEventFeed _feed;
    private readonly ProductEmbeddingCache _productEmbeddings;
    private readonly EventIntakeOptions _options;
    private readonly InterestOptions _interest;
    private readonly TimeProvider _time;
    private readonly ILogger<ShopperGrain> _logger;
    private readonly WriteBehindState<ShopperState> _durable;
    private readonly ShopperUnsavedEvents _unsaved;
    private readonly ShopperCatchUp _catchUp;
    private bool _shuttingDown;

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
        IGrainFactory grains,
        ILogger<ShopperGrain> logger)
    {
        _state = state;
        _log = log;
        _tracker = tracker;
        _feed = feed;
        _productEmbeddings = productEmbeddings;
        _options = options.Value;
        _interest = interest.Value;
        _time = time;
        _logger = logger;
        _unsaved = new ShopperUnsavedEvents(() => Shopper, () => State, log, handOff, unsavedBuffers, unsavedSerializer, Apply, logger);

        // A stopping silo writes every shopper it holds, and a fold would ask product grains and the encoder for
        // vectors while the silo can no longer place them (on the last silo, every such call failed with an error
        // logged). The touches are stored unfolded; the next activation folds them.
        _durable = new WriteBehindState<ShopperState>(
            this, state, _unsaved, scheduler, _options.StateFlushInterval, beforeWrite: () => _shuttingDown ? Task.CompletedTask : TryFoldInterestAsync());
        _durable.Written += () => _tracker.Clean(Shopper);
        _catchUp = new ShopperCatchUp(this, () => Shopper, _durable, _unsaved, log, recovery, handOff, tracker, grains, Apply, logger);
    }

    // Decoded from the grain id on every call (Track takes it once for all its records); not kept, as it would cost an
    // idle shopper 150 bytes for good.
    private string Shopper => this.GetPrimaryKeyString();

    private ShopperState State => _state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken) => _catchUp.OnActivateAsync(cancellationToken);

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // A silo died and took this activation's directory entry with it: the events go to the next activation (the
        // log holds them, and this silo's checkpoint stays before them). A pending interest fold is left: the touches
        // are still pending in storage.
        _shuttingDown = reason.ReasonCode == DeactivationReasonCode.ShuttingDown;
        return _durable.OnDeactivateAsync(reason, ex => LogFlushFailed(ex, Shopper));
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
            if (!_durable.IsPending)
            {
                _tracker.Clean(shopper);
            }

            throw;
        }

        foreach (var record in records)
        {
            Apply(State, record);
        }

        _unsaved.Keep(records);

        // Durable now: the silo's subscribers get the records off this call's path.
        _feed.Publish(records);

        _durable.Schedule();
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
        await _durable.WriteNowAsync(throwOnRace: true);
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
            State.InterestModel = null;
            State.PendingInterest = null;
        }

        State.Exists = true;
        await _durable.WriteNowAsync(throwOnRace: true);
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

        // Their support conversations and orders go with them.
        await GrainFactory.GetGrain<IShopperSupportGrain>(Shopper).Erase();
        _unsaved.Forget();
        _durable.Reset();
        _tracker.Clean(Shopper);
        LogErased(Shopper);
        DeactivateOnIdle();
        return new ErasureReceipt(Shopper, erasedAt);
    }

    public Task<int> Recover() => _catchUp.RecoverAsync();

    public Task<Adoption> Adopt(ImmutableArray<UnsavedEvent> unsaved, SiloAddress from) => _catchUp.AdoptAsync(unsaved, from);

    public Task FlushWriteBehind() => _durable.OnDueAsync();

    public async Task<Embedding?> GetInterestEmbedding()
    {
        if (await TryFoldInterestAsync())
        {
            _durable.Schedule();
        }

        return State.Consent.Personalisation && State.InterestEmbedding is { } sum && State.InterestModel is { } model && Ml.Shoppers.InterestEmbedding.Direction(sum) is { } direction
            ? new Embedding(direction, model)
            : null;
    }

    /// <summary>
    /// Folds the touched products into the interest. Runs just before each state write and on read, never per event:
    /// event intake stays free of product lookups, and a burst of events shares one round of them.
    /// </summary>
    private async Task<bool> TryFoldInterestAsync()
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

    private void Apply(ShopperState state, LoggedEvent record) => ShopperHistory.Apply(state, record, _options, _interest.MaxPending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} flagged as a bot after {Count} events in one second")]
    private partial void LogFlaggedAsBot(string shopper, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopper {Shopper} erased")]
    private partial void LogErased(string shopper);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} could not update the interest embedding yet")]
    private partial void LogInterestDeferred(Exception ex, string shopper);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shopper {Shopper} could not write state on deactivation")]
    private partial void LogFlushFailed(Exception ex, string shopper);
}
