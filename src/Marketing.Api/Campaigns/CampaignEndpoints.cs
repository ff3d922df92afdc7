using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Campaigns;
using Marketing.Abstractions.Events;
using Marketing.Api.Cluster;
using Marketing.Api.Problems;
using Marketing.Api.Security;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Campaigns;

/// <summary>Campaigns: define, list, and move through draft → active ⇄ paused → ended.</summary>
public static class CampaignEndpoints
{
    /// <summary>The single campaign directory grain's key (one per cluster).</summary>
    public const string DirectoryKey = "all";

    public static IEndpointRouteBuilder MapCampaigns(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/campaigns")
            .WithTags("Campaigns")
            .RequireAuthorization(ApiPolicies.ManageCampaigns);

        campaigns.MapPost("/", CreateAsync)
            .WithName("CreateCampaign")
            .WithSummary("Create a draft campaign (id generated unless given)")
            .Accepts<CampaignRequest>("application/json")
            .Produces<Campaign>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        campaigns.MapPut("/{id}", DefineAsync)
            .WithName("DefineCampaign")
            .WithSummary("Create or replace the definition of a draft or paused campaign")
            .Accepts<CampaignRequest>("application/json")
            .Produces<Campaign>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        campaigns.MapGet("/{id}", GetAsync)
            .WithName("GetCampaign")
            .WithSummary("A campaign with its status")
            .Produces<Campaign>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        campaigns.MapGet("/", ListAsync)
            .WithName("ListCampaigns")
            .WithSummary("Every campaign, summarised")
            .Produces<ImmutableArray<CampaignSummary>>();

        campaigns.MapDelete("/{id}", DeleteAsync)
            .WithName("DeleteCampaign")
            .WithSummary("Delete a campaign")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Each transition answers the campaign as it is when it already has the status asked for, so one that may have
        // run already is safe to send again: the campaign ends in that status either way.
        MapTransition(campaigns, "launch", g => g.Launch(), "Launch (draft or paused → active)");
        MapTransition(campaigns, "pause", g => g.Pause(), "Pause (active → paused)");
        MapTransition(campaigns, "end", g => g.End(), "End (any → ended, for good)");
        return app;
    }

    private static void MapTransition(RouteGroupBuilder campaigns, string action, Func<ICampaignGrain, Task<Campaign>> change, string summary) =>
        campaigns.MapPost($"/{{id}}/{action}", async (string id, IGrainFactory grains, ClusterWrites writes, CancellationToken cancellationToken) =>
            {
                var grain = grains.GetGrain<ICampaignGrain>(id);
                if (await writes.ResendAsync(grain.Get, cancellationToken) is null)
                {
                    return FieldErrors.NotFound($"Campaign '{id}'");
                }

                // A change the current status does not allow throws CampaignStateException: 409, never resent.
                return TypedResults.Ok(await writes.ResendAsync(() => change(grain), cancellationToken));
            })
            .WithName(char.ToUpperInvariant(action[0]) + action[1..] + "Campaign")
            .WithSummary(summary)
            .Produces<Campaign>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, ClusterWrites writes, IOptions<RequestLimitsOptions> limits)
    {
        var request = await RequestBody.ReadJsonAsync<CampaignRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        var errors = new List<FieldError>();
        var id = request.Id;
        if (id is null)
        {
            id = Guid.CreateVersion7().ToString("N");
        }
        else
        {
            ShopperEventValidator.RequireId(id, "id", errors);
        }

        var definition = request.ToDefinition(errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        var grain = grains.GetGrain<ICampaignGrain>(id);
        if (await writes.ResendAsync(grain.Get, http.RequestAborted) is not null)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "Campaign exists",
                detail: $"A campaign with id '{id}' already exists; use PUT /campaigns/{id} to change it.");
        }

        // Define sets the definition to these values (a draft's creation time is kept when it exists already), so
        // sending it again after it ran leaves the same draft, not a second one.
        var campaign = await writes.ResendAsync(() => grain.Define(definition), http.RequestAborted);
        return TypedResults.Created($"/campaigns/{Uri.EscapeDataString(id)}", campaign);
    }

    private static async Task<IResult> DefineAsync(
        string id, HttpContext http, IGrainFactory grains, ClusterWrites writes, IOptions<RequestLimitsOptions> limits)
    {
        var request = await RequestBody.ReadJsonAsync<CampaignRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(id, "id", errors);
        if (request.Id is not null && request.Id != id)
        {
            errors.Add(new("id", "must match the id in the URL (or be left out)"));
        }

        var definition = request.ToDefinition(errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        // Sets the definition to these values: sent twice, the campaign holds the same definition.
        var grain = grains.GetGrain<ICampaignGrain>(id);
        return TypedResults.Ok(await writes.ResendAsync(() => grain.Define(definition), http.RequestAborted));
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains) =>
        await grains.GetGrain<ICampaignGrain>(id).Get() is { } campaign
            ? TypedResults.Ok(campaign)
            : FieldErrors.NotFound($"Campaign '{id}'");

    private static async Task<IResult> ListAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ICampaignDirectoryGrain>(DirectoryKey).List());

    private static async Task<IResult> DeleteAsync(string id, IGrainFactory grains, ClusterWrites writes, CancellationToken cancellationToken)
    {
        // Not resent once it may have run: a second Delete finds nothing and would answer 404 for a campaign this
        // request did delete. Sent again only when its silo refused it or it never left.
        var grain = grains.GetGrain<ICampaignGrain>(id);
        return await writes.SendOnceAsync(grain.Delete, cancellationToken)
            ? TypedResults.NoContent()
            : FieldErrors.NotFound($"Campaign '{id}'");
    }
}
