using Marketing.Abstractions.Products;
using Marketing.Abstractions.Recommendations;

namespace Marketing.Grains.Recommendations;

/// <summary>The words a shopper reads beside a recommended product.</summary>
public static class ReasonText
{
    public static RecommendationReason For(Candidate reason, Product product, Seed? seed, Product? because)
    {
        var title = because?.Title ?? reason.BecauseOf;
        return reason.Reason switch
        {
            ReasonKind.Interest when title is not null => new("interest", $"{Because(seed?.Kind)} {title}", reason.BecauseOf),
            ReasonKind.Interest => new("interest", "Close to what you have been looking at", null),
            ReasonKind.Similar => new("similar", $"Similar to {title}", reason.BecauseOf),
            ReasonKind.BoughtTogether => new("bought-together", $"Bought together with {title}", reason.BecauseOf),
            ReasonKind.NextItem => new("next-item", $"Often chosen after {title}", reason.BecauseOf),
            ReasonKind.Trending => new("trending", $"Trending in {product.Category}", null),
            _ => new("popular", $"Popular in {product.Category}", null),
        };
    }

    private static string Because(SeedKind? kind) => kind switch
    {
        SeedKind.Bought => "Because you bought",
        SeedKind.InCart => "Because you have in your cart",
        SeedKind.AddedToCart => "Because you added to your cart",
        SeedKind.Clicked => "Because you looked at",
        SeedKind.Reviewed => "Because you liked",
        SeedKind.Page => "Similar to",
        _ => "Because you viewed",
    };
}
