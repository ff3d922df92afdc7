namespace Marketing.Grains.Recommendations;

/// <summary>
/// What one shopper added to the shared statistics, kept so that it can be taken out again when they are erased,
/// so that an event that reaches a silo twice (its own feed, then the log) counts once, and so that the already-bought
/// filter knows what they bought.
/// </summary>
internal sealed class ShopperTrail
{
    public HashSet<string> EventIds { get; } = new(StringComparer.Ordinal);

    public List<Touch> Touches { get; } = [];

    public List<Basket> Baskets { get; } = [];

    public HashSet<string> Bought { get; } = new(StringComparer.Ordinal);

    /// <summary>The product the shopper touched last, for next-item transitions.</summary>
    public string? LastSku { get; set; }
}

/// <summary>One product touched: its signed weight, the product before it (a transition) and when.</summary>
internal readonly record struct Touch(string Sku, float Weight, string? Previous, double TrendExponent, DateTimeOffset LoggedAt);

/// <summary>The distinct products of one order, as counted into co-purchase pairs.</summary>
internal sealed record Basket(string[] Skus, DateTimeOffset LoggedAt);
