using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Api.Cluster;
using Marketing.Api.Problems;
using Marketing.Api.Security;
using Marketing.Client;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Shoppers;

/// <summary>Shoppers by the shop's user id: profile, consent, cart and value; erasure on request.</summary>
public static class ShopperEndpoints
{
    public static IEndpointRouteBuilder MapShoppers(this IEndpointRouteBuilder app)
    {
        var shoppers = app.MapGroup("/users").WithTags("Users");

        shoppers.MapGet("/{id}", GetAsync)
            .RequireAuthorization(ApiPolicies.ReadShoppers)
            .WithName("GetUser")
            .WithSummary("A shopper's profile, consent, cart, value and recent events")
            .Produces<ShopperResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        shoppers.MapPut("/{id}/profile", UpdateProfileAsync)
            .RequireAuthorization(ApiPolicies.ReadShoppers)
            .WithName("UpdateUserProfile")
            .WithSummary("Set or remove profile attributes (null removes)")
            .Accepts<ProfileUpdateRequest>("application/json")
            .Produces<ShopperResponse>()
            .ProducesValidationProblem();

        shoppers.MapPut("/{id}/consent", SetConsentAsync)
            .RequireAuthorization(ApiPolicies.ReadShoppers)
            .WithName("SetUserConsent")
            .WithSummary("Change consent to personalisation and marketing")
            .Accepts<ConsentUpdateRequest>("application/json")
            .Produces<ShopperResponse>()
            .ProducesValidationProblem();

        shoppers.MapDelete("/{id}", EraseAsync)
            .RequireAuthorization(ApiPolicies.EraseShoppers)
            .WithName("EraseUser")
            .WithSummary("Erase a shopper from every grain, index and log")
            .Produces<ErasureResponse>()
            .ProducesValidationProblem();
        return app;
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains, ShopperPseudonym pseudonym)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var view = await grains.GetShopper(pseudonym, id).Get();
        return view.Exists ? TypedResults.Ok(ShopperResponse.From(id, view)) : FieldErrors.NotFound($"Shopper '{id}'");
    }

    private static async Task<IResult> UpdateProfileAsync(
        string id, HttpContext http, IGrainFactory grains, ShopperPseudonym pseudonym, ClusterWrites writes, IOptions<RequestLimitsOptions> limits)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var request = await RequestBody.ReadJsonAsync<ProfileUpdateRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        if (request.Attributes is null)
        {
            return FieldErrors.Problem([new FieldError("attributes", "is required: an object of attribute names to values (null removes)")]);
        }

        var errors = ProfileRules.Validate(request.Attributes);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        // It sets each named attribute to a value (or removes it): sent twice, it sets the same values.
        var shopper = grains.GetShopper(pseudonym, id);
        var attributes = request.Attributes.ToImmutableDictionary(StringComparer.Ordinal);
        var view = await writes.ResendAsync(() => shopper.UpdateProfile(attributes), http.RequestAborted);
        return TypedResults.Ok(ShopperResponse.From(id, view));
    }

    private static async Task<IResult> SetConsentAsync(
        string id, HttpContext http, IGrainFactory grains, ShopperPseudonym pseudonym, ClusterWrites writes, IOptions<RequestLimitsOptions> limits)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var request = await RequestBody.ReadJsonAsync<ConsentUpdateRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        if (request is { Personalisation: null, Marketing: null })
        {
            return FieldErrors.Problem([new FieldError("body", "set personalisation, marketing or both")]);
        }

        // It sets each given consent to a value (refusing personalisation forgets the interests, again): sent twice,
        // the shopper ends the same.
        var shopper = grains.GetShopper(pseudonym, id);
        var update = new ConsentUpdate(request.Personalisation, request.Marketing);
        var view = await writes.ResendAsync(() => shopper.SetConsent(update), http.RequestAborted);
        return TypedResults.Ok(ShopperResponse.From(id, view));
    }

    private static async Task<IResult> EraseAsync(string id, IGrainFactory grains, ShopperPseudonym pseudonym)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var receipt = await grains.GetShopper(pseudonym, id).Erase();
        return TypedResults.Ok(new ErasureResponse(id, receipt.ErasedAt));
    }

    private static IResult? InvalidId(string id)
    {
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(id, "userId", errors);
        return errors.Count > 0 ? FieldErrors.Problem(errors) : null;
    }
}
