using System.Collections.Immutable;

namespace Marketing.Abstractions.Events;

/// <summary>What a shopper did. The wire names are the lowercase kebab forms: <c>add-to-cart</c> and so on.</summary>
public enum ShopperEventType
{
    View = 0,
    Search = 1,
    Click = 2,
    AddToCart = 3,
    RemoveFromCart = 4,
    Purchase = 5,
    Review = 6,
}

/// <summary>Where an event came from: live traffic is rate-checked for bots, imports of history are not.</summary>
public enum EventSource
{
    Live = 0,
    Import = 1,
}

[GenerateSerializer, Immutable, Alias("mk.OrderLine")]
public sealed record OrderLine(
    [property: Id(0)] string Sku,
    [property: Id(1)] int Quantity,
    [property: Id(2)] decimal Price);

/// <summary>
/// One shopper event as the grain sees it. The shopper is the grain's key (a pseudonym), so the record itself
/// carries no user id. <see cref="EventId"/> is the client's id and makes resending safe.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.ShopperEvent")]
public sealed record ShopperEvent
{
    [Id(0)] public required string EventId { get; init; }
    [Id(1)] public required ShopperEventType Type { get; init; }
    [Id(2)] public required DateTimeOffset Timestamp { get; init; }
    [Id(3)] public string? Sku { get; init; }
    [Id(4)] public string? Query { get; init; }
    [Id(5)] public int Quantity { get; init; }
    [Id(6)] public decimal? Price { get; init; }
    [Id(7)] public string? OrderId { get; init; }
    [Id(8)] public ImmutableArray<OrderLine> Lines { get; init; } = [];
    [Id(9)] public decimal? Amount { get; init; }
    [Id(10)] public int? Rating { get; init; }
    [Id(11)] public string? Text { get; init; }

    /// <summary>The SKUs this event touches (one for most types, every line for a purchase).</summary>
    public IEnumerable<string> Skus()
    {
        if (Type == ShopperEventType.Purchase)
        {
            foreach (var line in Lines)
            {
                yield return line.Sku;
            }
        }
        else if (Sku is not null)
        {
            yield return Sku;
        }
    }
}

/// <summary>
/// What the shopper's grain did with a batch: counted, recognised as resent, or kept out as bot traffic; and how many
/// of a shopper's latest event ids its grain recognises when they are sent again (its silo's <c>Events:DedupeWindow</c>;
/// 0 from a silo of an older build), which tells a caller how large a call it may safely resend.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.TrackResult")]
public sealed record TrackResult(
    [property: Id(0)] int Accepted,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] bool FlaggedAsBot,
    [property: Id(3)] int DedupeWindow = 0);
