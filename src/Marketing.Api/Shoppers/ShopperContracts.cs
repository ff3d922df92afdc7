using System.Collections.Immutable;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Api.Shoppers;

/// <summary>A shopper as the shop sees them, under the shop's own user id (the pseudonym stays inside the cluster).</summary>
public sealed record ShopperResponse(
    string UserId,
    ImmutableDictionary<string, string> Attributes,
    Consent Consent,
    ImmutableArray<CartLine> Cart,
    CustomerValue Value,
    long EventCount,
    ImmutableArray<RecentEvent> RecentEvents,
    bool IsBot,
    bool HasInterestEmbedding)
{
    public static ShopperResponse From(string userId, ShopperView view) => new(
        userId,
        view.Attributes,
        view.Consent,
        view.Cart,
        view.Value,
        view.EventCount,
        view.RecentEvents,
        view.IsBot,
        view.HasInterestEmbedding);
}

/// <summary>Profile attributes to set; a null value removes the attribute.</summary>
public sealed record ProfileUpdateRequest
{
    public Dictionary<string, string?>? Attributes { get; init; }
}

/// <summary>Consent flags to change; a flag left out keeps its value.</summary>
public sealed record ConsentUpdateRequest
{
    public bool? Personalisation { get; init; }

    public bool? Marketing { get; init; }
}

/// <summary>Proof of erasure: when the shopper's data was removed.</summary>
public sealed record ErasureResponse(string UserId, DateTimeOffset ErasedAt);
