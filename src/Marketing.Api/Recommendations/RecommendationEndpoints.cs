using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Recommendations;
using Marketing.Api.Problems;
using Marketing.Api.Security;
using Marketing.Client;

namespace Marketing.Api.Recommendations;

/// <summary>Recommendations for a shopper (home, product page, cart) and "bought together" for a product.</summary>
public static class RecommendationEndpoints
{
    public static IEndpointRouteBuilder MapRecommendations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/users/{id}/recommendations", RecommendAsync)
            .RequireAuthorization(ApiPolicies.ReadShoppers)
            .WithTags("Recommendations")
            .WithName("UserRecommendations")
            .WithSummary("Products to show a shopper, each with its reason")
            .WithDescription("k: how many (1-100, default 10); context: home (default), product (with sku: the product page's) or cart. "
                + "Blends content (the shopper's interest embedding), bought-together, next-item, trending and popular candidates; leaves out what is out of stock, in the cart "
                + "or (by default) already bought, and keeps at most Recommendations:MaxPerCategory per category. A shopper who is unknown, erased or refused "
                + "personalisation gets the non-personalised list (personalised: false).")
            .Produces<RecommendationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/products/{sku}/also-bought", AlsoBoughtAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithTags("Recommendations")
            .WithName("AlsoBought")
            .WithSummary("Products bought in the same orders as this one")
            .WithDescription("k: how many (1-100, default 10). In-stock products only, most often bought together first (damped by their own popularity).")
            .Produces<RecommendationResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> RecommendAsync(string id, IGrainFactory grains, ShopperPseudonym pseudonym, int? k, string? context, string? sku)
    {
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(id, "userId", errors);
        RecommendationRules.ValidateK(k, errors);
        var parsed = RecommendationRules.ParseContext(context, sku, errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        try
        {
            var list = await grains.RecommendAsync(pseudonym, id, k ?? RecommendationRules.DefaultK, parsed!.Value, sku);
            return TypedResults.Ok(RecommendationResponse.From(id, parsed.Value, list));
        }
        catch (UnknownProductException unknown)
        {
            return UnknownProduct(unknown);
        }
    }

    private static async Task<IResult> AlsoBoughtAsync(string sku, IGrainFactory grains, int? k)
    {
        var errors = new List<FieldError>();
        RecommendationRules.ValidateK(k, errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        try
        {
            var list = await grains.AlsoBoughtAsync(sku, k ?? RecommendationRules.DefaultK);
            return TypedResults.Ok(RecommendationResponse.From(null, null, list));
        }
        catch (UnknownProductException unknown)
        {
            return UnknownProduct(unknown);
        }
    }

    private static IResult UnknownProduct(UnknownProductException unknown) =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status404NotFound,
            title: "Not found",
            detail: $"{unknown.Field}: product '{unknown.Sku}' does not exist.",
            extensions: new Dictionary<string, object?> { ["field"] = unknown.Field });
}

/// <summary>The list as the gateway answers it; <see cref="Personalised"/> is false for the non-personalised list.</summary>
public sealed record RecommendationResponse(string? UserId, string? Context, bool Personalised, IReadOnlyList<RecommendedItem> Items, double Milliseconds)
{
    public static RecommendationResponse From(string? userId, RecommendationContext? context, RecommendationList list) =>
        new(userId, context?.ToString().ToLowerInvariant(), list.Personalised, list.Items, Math.Round(list.Milliseconds, 2));
}
