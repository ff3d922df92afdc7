namespace Marketing.Abstractions.Events;

/// <summary>The wire names of <see cref="ShopperEventType"/>, used by the HTTP gateway and the importers.</summary>
public static class EventTypeNames
{
    private static readonly Dictionary<string, ShopperEventType> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["view"] = ShopperEventType.View,
        ["search"] = ShopperEventType.Search,
        ["click"] = ShopperEventType.Click,
        ["add-to-cart"] = ShopperEventType.AddToCart,
        ["remove-from-cart"] = ShopperEventType.RemoveFromCart,
        ["purchase"] = ShopperEventType.Purchase,
        ["review"] = ShopperEventType.Review,
    };

    public static IReadOnlyCollection<string> All => ByName.Keys;

    public static bool TryParse(string? name, out ShopperEventType type) =>
        ByName.TryGetValue(name ?? "", out type);

    public static string ToName(ShopperEventType type) => ByName.First(p => p.Value == type).Key;
}
