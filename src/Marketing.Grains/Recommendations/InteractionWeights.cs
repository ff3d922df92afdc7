using Marketing.Abstractions.Events;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// What one event says for or against a product in the shared statistics: buying more than carting, carting more
/// than clicking, clicking more than viewing; taking out of the cart and a poor review count against it.
/// </summary>
public static class InteractionWeights
{
    public const float View = 1f;
    public const float Click = 2f;
    public const float AddToCart = 4f;
    public const float Purchase = 8f;
    public const float RemoveFromCart = -3f;
    public const float PoorReview = -6f;
    public const float GoodReview = 4f;

    /// <summary>The signed weight per product the event touches; 0 for events that name no product (searches).</summary>
    public static float Of(ShopperEvent e) => e.Type switch
    {
        ShopperEventType.View => View,
        ShopperEventType.Click => Click,
        ShopperEventType.AddToCart => AddToCart,
        ShopperEventType.Purchase => Purchase,
        ShopperEventType.RemoveFromCart => RemoveFromCart,
        ShopperEventType.Review when e.Rating <= 2 => PoorReview,
        ShopperEventType.Review when e.Rating >= 4 => GoodReview,
        _ => 0f,
    };

    /// <summary>True for the events that say the shopper does not want the product.</summary>
    public static bool IsNegative(ShopperEvent e) => Of(e) < 0;
}
