using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// Turns what the shopper grain holds (cart and recent events, updated the moment an event is acknowledged) into the
/// seeds the sources follow, so a view changes the very next list; and the products the shopper said no to.
/// </summary>
public static class ShopperSeeds
{
    /// <summary>Each older recent event counts this much less than the one after it.</summary>
    private const float RecencyDecay = 0.85f;

    public static (List<Seed> Seeds, HashSet<string> Rejected) From(ShopperView? shopper, string? pageSku, bool cartFirst)
    {
        var seeds = new Dictionary<string, Seed>(StringComparer.Ordinal);
        var rejected = new HashSet<string>(StringComparer.Ordinal);
        void Offer(string sku, float weight, SeedKind kind)
        {
            if (!rejected.Contains(sku) && (!seeds.TryGetValue(sku, out var known) || known.Weight < weight))
            {
                seeds[sku] = new Seed(sku, weight, kind);
            }
        }

        if (pageSku is not null)
        {
            Offer(pageSku, 10f, SeedKind.Page);
        }

        if (shopper is null)
        {
            return ([.. seeds.Values], rejected);
        }

        foreach (var line in shopper.Cart)
        {
            Offer(line.Sku, cartFirst ? 8f : 3f, SeedKind.InCart);
        }

        var recency = 1f;
        foreach (var recent in shopper.RecentEvents.OrderByDescending(e => e.Timestamp))
        {
            if (recent.Sku is not { } sku)
            {
                continue;
            }

            var weight = InteractionWeights.Of(new ShopperEvent { EventId = "", Type = recent.Type, Timestamp = recent.Timestamp, Sku = sku });
            if (recent.Type is ShopperEventType.RemoveFromCart || weight < 0)
            {
                // The newest word on a product wins: taken out of the cart after adding it, it is not followed.
                if (!seeds.ContainsKey(sku))
                {
                    rejected.Add(sku);
                }
            }
            else if (weight > 0)
            {
                Offer(sku, weight / InteractionWeights.Purchase * 4f * recency, KindOf(recent.Type));
            }

            recency *= RecencyDecay;
        }

        return ([.. seeds.Values.OrderByDescending(s => s.Weight)], rejected);
    }

    private static SeedKind KindOf(ShopperEventType type) => type switch
    {
        ShopperEventType.Purchase => SeedKind.Bought,
        ShopperEventType.AddToCart => SeedKind.AddedToCart,
        ShopperEventType.Click => SeedKind.Clicked,
        ShopperEventType.Review => SeedKind.Reviewed,
        _ => SeedKind.Viewed,
    };
}
