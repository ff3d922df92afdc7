using System.Collections.Immutable;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Search;

namespace Marketing.Abstractions.Shoppers;

/// <summary>
/// One shopper, keyed by the pseudonym from <see cref="ShopperPseudonym"/> (never the shop's raw user id).
/// Holds profile, consent, cart, value counters, recent behaviour and the interest embedding.
/// </summary>
// Aliases keep their old "user" names: stored state and calls between silos of two versions are identified by them.
[Alias("mk.IUserGrain")]
public interface IShopperGrain : IGrainWithStringKey
{
    /// <summary>
    /// Records a batch of this shopper's events. Completes only after the accepted events are durable in the event
    /// log, so a caller that sees success may forget them. Resent event ids count once; late events are fine.
    /// </summary>
    [Alias("Track")]
    Task<TrackResult> Track(ImmutableArray<ShopperEvent> events, EventSource source);

    /// <summary>The shopper as stored; <see cref="ShopperView.Exists"/> is false for a shopper never seen (or erased).</summary>
    [Alias("Get")]
    Task<ShopperView> Get();

    /// <summary>Sets or removes profile attributes (a null value removes the attribute).</summary>
    [Alias("UpdateProfile")]
    Task<ShopperView> UpdateProfile(ImmutableDictionary<string, string?> attributes);

    /// <summary>Changes consent; unspecified flags keep their value.</summary>
    [Alias("SetConsent")]
    Task<ShopperView> SetConsent(ConsentUpdate update);

    /// <summary>Erases the shopper: state removed, their logged events marked erased for every later reader.</summary>
    [Alias("Erase")]
    Task<ErasureReceipt> Erase();
}

/// <summary>What a shopper is into, as one vector in the product embedding space; kept apart from the profile interface.</summary>
[Alias("mk.IShopperInterest")]
public interface IShopperInterest : IGrainWithStringKey
{
    /// <summary>
    /// The unit-length interest embedding, with every event so far folded in, and the model that made the vectors it
    /// sums; null when none of the shopper's events touched an embedded product or search, or when they refused
    /// personalisation. An interest summed from another model's vectors is dropped and rebuilt from recent events.
    /// </summary>
    [Alias("GetInterestEmbedding")]
    Task<Embedding?> GetInterestEmbedding();
}

[GenerateSerializer, Immutable, Alias("mk.ConsentUpdate")]
public sealed record ConsentUpdate(
    [property: Id(0)] bool? Personalisation,
    [property: Id(1)] bool? Marketing);

/// <summary>
/// What the shopper agreed to. Personalisation (recommendations from their behaviour) is on until refused;
/// marketing messages are off until granted.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.Consent")]
public sealed record Consent(
    [property: Id(0)] bool Personalisation,
    [property: Id(1)] bool Marketing,
    [property: Id(2)] DateTimeOffset? UpdatedAt)
{
    public static Consent Default { get; } = new(true, false, null);
}

/// <summary>One line of a shopper's cart; a struct for the same reason as <see cref="RecentEvent"/>.</summary>
[GenerateSerializer, Immutable, Alias("mk.CartLine")]
public readonly record struct CartLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal? Price);

/// <summary>Recency, frequency, monetary: the classic customer-value counters, kept exactly per event.</summary>
[GenerateSerializer, Immutable, Alias("mk.CustomerValue")]
public sealed record CustomerValue(
    [property: Id(0)] DateTimeOffset? FirstSeenAt,
    [property: Id(1)] DateTimeOffset? LastSeenAt,
    [property: Id(2)] DateTimeOffset? LastPurchaseAt,
    [property: Id(3)] int Orders,
    [property: Id(4)] decimal Monetary);

/// <summary>
/// One of a shopper's recent events. A struct: a shopper keeps twenty of them in one array, rewritten in place, so a
/// new event adds no object for the collector to carry (stored states written when it was a class read the same).
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.RecentEvent")]
public readonly record struct RecentEvent(
    [property: Id(0)] ShopperEventType Type,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] string? Sku);

[GenerateSerializer, Immutable, Alias("mk.UserView")]
public sealed record ShopperView
{
    [Id(0)] public required string Shopper { get; init; }
    [Id(1)] public bool Exists { get; init; }
    [Id(2)] public ImmutableDictionary<string, string> Attributes { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(3)] public Consent Consent { get; init; } = Consent.Default;
    [Id(4)] public ImmutableArray<CartLine> Cart { get; init; } = [];
    [Id(5)] public CustomerValue Value { get; init; } = new(null, null, null, 0, 0m);
    [Id(6)] public long EventCount { get; init; }
    [Id(7)] public ImmutableArray<RecentEvent> RecentEvents { get; init; } = [];
    [Id(8)] public bool IsBot { get; init; }
    [Id(9)] public bool HasInterestEmbedding { get; init; }
}

[GenerateSerializer, Immutable, Alias("mk.ErasureReceipt")]
public sealed record ErasureReceipt(
    [property: Id(0)] string Shopper,
    [property: Id(1)] DateTimeOffset ErasedAt);
