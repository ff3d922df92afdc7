using Marketing.Abstractions;
using Marketing.Abstractions.Recommendations;

namespace Marketing.Client;

/// <summary>Recommendations for .NET frontends, by the shop's own user id, the same as the gateway's endpoints.</summary>
public static class RecommendationClient
{
    /// <summary>
    /// Up to <paramref name="k"/> products for the shopper the shop knows as <paramref name="userId"/> (unknown, erased
    /// or without personalisation consent: the non-personalised list). <paramref name="sku"/> is the product page's,
    /// with <see cref="RecommendationContext.Product"/>. Throws <see cref="InvalidInputException"/> for a bad k and
    /// <see cref="UnknownProductException"/> for a page sku that does not exist.
    /// </summary>
    public static Task<RecommendationList> RecommendAsync(
        this IGrainFactory grains, ShopperPseudonym pseudonym, string userId, int k = RecommendationRules.DefaultK,
        RecommendationContext context = RecommendationContext.Home, string? sku = null) =>
        grains.Ref<IRecommendationGrain>(0).Recommend(new RecommendationRequest(pseudonym.Of(userId), k, context, sku));

    /// <summary>The products most often bought in the same order as <paramref name="sku"/>.</summary>
    public static Task<RecommendationList> AlsoBoughtAsync(this IGrainFactory grains, string sku, int k = RecommendationRules.DefaultK) =>
        grains.Ref<IRecommendationGrain>(0).AlsoBought(sku, k);
}
