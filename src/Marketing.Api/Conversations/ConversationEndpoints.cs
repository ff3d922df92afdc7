using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Conversations;
using Marketing.Abstractions.Events;
using Marketing.Api.Problems;
using Marketing.Api.Security;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Conversations;

public sealed record StartConversationRequest(string? UserId);

public sealed record MessageRequest(string? Text);

/// <summary>
/// Support conversations: the storefront's chat starts one and posts the shopper's messages (the bot's reply comes
/// back); agents see the inbox, take over, reply, hand back, resolve, and approve or reject proposed actions.
/// </summary>
public static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/conversations").WithTags("Conversations");

        conversations.MapPost("/", StartAsync)
            .RequireAuthorization(ApiPolicies.Converse)
            .WithName("StartConversation")
            .WithSummary("Start a support conversation for a shopper (by the shop's user id)")
            .Accepts<StartConversationRequest>("application/json")
            .Produces<ConversationView>(StatusCodes.Status201Created)
            .ProducesValidationProblem();

        conversations.MapPost("/{id}/messages", PostAsync)
            .RequireAuthorization(ApiPolicies.Converse)
            .WithName("PostShopperMessage")
            .WithSummary("The shopper's message; answers with the bot's reply (none while a person holds the conversation)")
            .Accepts<MessageRequest>("application/json")
            .Produces<TurnResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        conversations.MapGet("/{id}", GetAsync)
            .RequireAuthorization(ApiPolicies.ReadShoppers)
            .WithName("GetConversation")
            .WithSummary("The transcript: turns with intent, sentiment and tool calls; status, agent, summary, proposed actions")
            .Produces<ConversationView>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        var agents = conversations.MapGroup("").RequireAuthorization(ApiPolicies.AnswerConversations);
        agents.MapGet("/inbox", async (IGrainFactory grains) => TypedResults.Ok(await grains.GetGrain<IConversationInboxGrain>(0).List()))
            .WithName("ConversationInbox")
            .WithSummary("Conversations waiting for a person, longest waiting first")
            .Produces<ImmutableArray<InboxEntry>>();

        MapAgentAction(agents, "takeover", (g, agent) => g.TakeOver(agent), "Take the conversation over from the bot");
        MapAgentAction(agents, "handback", (g, agent) => g.HandBack(agent), "Hand the conversation back to the bot");
        MapAgentAction(agents, "resolve", (g, agent) => g.Resolve(agent), "Resolve the conversation");

        agents.MapPost("/{id}/reply", ReplyAsync)
            .WithName("AgentReply")
            .WithSummary("An agent's reply to the shopper (takes the conversation over)")
            .Accepts<MessageRequest>("application/json")
            .Produces<ConversationView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        foreach (var approve in new[] { true, false })
        {
            var verb = approve ? "approve" : "reject";
            agents.MapPost($"/{{id}}/actions/{{actionId}}/{verb}", async (string id, string actionId, HttpContext http, IGrainFactory grains) =>
                    InvalidId(id) ?? await Run(grains, id, g => g.Decide(actionId, approve, Agent(http))))
                .WithName(approve ? "ApproveProposedAction" : "RejectProposedAction")
                .WithSummary(approve ? "Approve an action the bot proposed (a return, a cancellation)" : "Reject an action the bot proposed")
                .Produces<ConversationView>()
                .ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status409Conflict);
        }

        return app;
    }

    private static void MapAgentAction(RouteGroupBuilder agents, string action, Func<IConversationGrain, string, Task<ConversationView>> change, string summary) =>
        agents.MapPost($"/{{id}}/{action}", async (string id, HttpContext http, IGrainFactory grains) => InvalidId(id) ?? await Run(grains, id, g => change(g, Agent(http))))
            .WithName(action switch { "takeover" => "TakeOverConversation", "handback" => "HandBackConversation", _ => "ResolveConversation" })
            .WithSummary(summary)
            .Produces<ConversationView>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> StartAsync(HttpContext http, IGrainFactory grains, ShopperPseudonym pseudonym, IOptions<RequestLimitsOptions> limits)
    {
        var request = await RequestBody.ReadJsonAsync<StartConversationRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(request.UserId, "userId", errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        var id = Guid.CreateVersion7().ToString("N");
        var view = await grains.GetGrain<IConversationGrain>(id).Start(pseudonym.Of(request.UserId!));
        return TypedResults.Created($"/conversations/{id}", view);
    }

    private static async Task<IResult> PostAsync(string id, HttpContext http, IGrainFactory grains, IOptions<RequestLimitsOptions> limits)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var request = await RequestBody.ReadJsonAsync<MessageRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        return TypedResults.Ok(await grains.GetGrain<IConversationGrain>(id).Post(request.Text!));
    }

    private static async Task<IResult> ReplyAsync(string id, HttpContext http, IGrainFactory grains, IOptions<RequestLimitsOptions> limits)
    {
        if (InvalidId(id) is { } invalid)
        {
            return invalid;
        }

        var request = await RequestBody.ReadJsonAsync<MessageRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        return TypedResults.Ok(await grains.GetGrain<IConversationGrain>(id).AgentReply(Agent(http), request.Text!));
    }

    private static async Task<IResult> GetAsync(string id, IGrainFactory grains) =>
        InvalidId(id) ?? (await grains.GetGrain<IConversationGrain>(id).Get() is { } view ? (IResult)TypedResults.Ok(view) : FieldErrors.NotFound($"Conversation '{id}'"));

    private static async Task<IResult> Run(IGrainFactory grains, string id, Func<IConversationGrain, Task<ConversationView>> change) =>
        TypedResults.Ok(await change(grains.GetGrain<IConversationGrain>(id)));

    private static string Agent(HttpContext http) => http.User.Identity?.Name ?? "agent";

    private static IResult? InvalidId(string id)
    {
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(id, "id", errors);
        return errors.Count > 0 ? FieldErrors.Problem(errors) : null;
    }
}
