using Marketing.Abstractions.Events;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// One product or search a shopper touched, waiting to be folded into their interest embedding. A struct, so the
/// touches waiting for a shopper's next write are one array, not an object each.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.InterestTouch")]
public readonly record struct InterestTouch(
    [property: Id(0)] string? Sku,
    [property: Id(1)] string? Query,
    [property: Id(2)] float Weight,
    [property: Id(3)] DateTimeOffset At);

/// <summary>How much each kind of event says about what a shopper wants: buying says more than looking.</summary>
public static class InterestSignals
{
    public const float View = 1f;
    public const float Search = 1.5f;
    public const float Click = 2f;
    public const float AddToCart = 3f;
    public const float Purchase = 4f;
    public const float LikedReview = 3f;
    public const float MixedReview = 1f;

    /// <summary>The touches an event makes; none for removals and poor reviews, which say what the shopper does not want.</summary>
    public static IEnumerable<InterestTouch> Of(ShopperEvent e)
    {
        switch (e.Type)
        {
            case ShopperEventType.View when e.Sku is not null:
                yield return new(e.Sku, null, View, e.Timestamp);
                break;
            case ShopperEventType.Click when e.Sku is not null:
                yield return new(e.Sku, null, Click, e.Timestamp);
                break;
            case ShopperEventType.AddToCart when e.Sku is not null:
                yield return new(e.Sku, null, AddToCart, e.Timestamp);
                break;
            case ShopperEventType.Purchase:
                foreach (var line in e.Lines)
                {
                    yield return new(line.Sku, null, Purchase, e.Timestamp);
                }

                break;
            case ShopperEventType.Review when e.Sku is not null && e.Rating >= 4:
                yield return new(e.Sku, null, LikedReview, e.Timestamp);
                break;
            case ShopperEventType.Review when e.Sku is not null && e.Rating == 3:
                yield return new(e.Sku, null, MixedReview, e.Timestamp);
                break;
            case ShopperEventType.Search when !string.IsNullOrWhiteSpace(e.Query):
                yield return new(null, e.Query, Search, e.Timestamp);
                break;
        }
    }
}
