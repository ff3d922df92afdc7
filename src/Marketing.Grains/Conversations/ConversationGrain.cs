using Marketing.Abstractions;
using Marketing.Abstractions.Conversations;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Conversations;

/// <summary>
/// One support conversation. Each shopper turn is written through before the bot answers and the reply after it,
/// so an acknowledged turn survives the silo. The bot answers while the status is <see cref="ConversationStatus.Bot"/>;
/// negative sentiment, low intent confidence twice in a row, or asking for a person hands it to the inbox, and from
/// then on the shopper's messages wait for an agent.
/// </summary>
public sealed class ConversationGrain(
    [PersistentState("conversation", StorageNames.GrainState)] IPersistentState<ConversationState> state,
    SupportModels models,
    SupportResponder responder,
    IOptions<SupportOptions> options,
    TimeProvider time) : Grain, IConversationGrain
{
    private string Id => this.GetPrimaryKeyString();

    private ConversationState S => state.State;

    private IConversationInboxGrain Inbox => GrainFactory.GetGrain<IConversationInboxGrain>(ConversationInboxGrain.Key);

    public async Task<ConversationView> Start(string shopper)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(shopper);
        if (S.Shopper is null)
        {
            S.Shopper = shopper;
            S.StartedAt = time.GetUtcNow();
            S.Status = ConversationStatus.Bot;
            await GrainFactory.GetGrain<IShopperSupportGrain>(shopper).AddConversation(Id);
            await state.WriteStateAsync();
        }
        else if (S.Shopper != shopper)
        {
            throw new ConversationStateException($"Conversation '{Id}' belongs to another shopper.");
        }

        return S.ToView(Id);
    }

    public Task<ConversationView?> Get() => Task.FromResult(S.Shopper is null ? null : S.ToView(Id));

    public async Task<TurnResult> Post(string text)
    {
        Require();
        text = Validate(text);
        var intent = await (await models.IntentsAsync()).ClassifyAsync(text);
        var sentiment = await (await models.SentimentAsync()).AnalyzeAsync(text);
        var shopperTurn = new ConversationTurn
        {
            Role = TurnRole.Shopper,
            Text = Redaction.Redact(text),
            At = time.GetUtcNow(),
            Author = "shopper",
            Intent = intent.Intent,
            Confidence = intent.Confidence,
            Sentiment = sentiment.Label,
            SentimentScore = sentiment.Score,
        };
        // A bare order number answering the bot's question reads to the classifiers as anything at all (one was
        // "talk to a person", strongly negative): it is judged as the answer it is, not as a new request.
        var answersSlot = S.Turns.LastOrDefault(t => t.Role == TurnRole.Bot)?.Awaiting is not null && GroundedChatService.HasOrderNumber(text);
        S.Turns.Add(shopperTurn);
        S.LowConfidenceRun = intent.Confidence < options.Value.LowConfidence && !answersSlot ? S.LowConfidenceRun + 1 : 0;
        if (S.Status == ConversationStatus.Resolved)
        {
            S.Status = ConversationStatus.Bot;
            S.AssignedAgent = null;
        }

        // Durable before anything answers: a crash from here on loses no acknowledged turn.
        await state.WriteStateAsync();

        if (S.Status != ConversationStatus.Bot)
        {
            if (S.Status == ConversationStatus.NeedsAgent)
            {
                await Inbox.Put(InboxEntryNow());
            }

            return new TurnResult(shopperTurn, null, S.Status);
        }

        var escalation = answersSlot ? null
            : sentiment.Score <= options.Value.NegativeSentiment ? "negative sentiment"
            : intent.Intent == "talk_to_person" && !intent.OutOfScope ? "asked for a person"
            : S.LowConfidenceRun >= 2 ? "low intent confidence twice in a row"
            : null;
        if (escalation is not null)
        {
            var handOff = Bot("I'm sorry for the trouble. I've passed our conversation to a person on our team; they will answer you here.", null, []);
            await EscalateAsync(handOff, escalation);
            return new TurnResult(shopperTurn, handOff, S.Status);
        }

        var reply = await responder.ReplyAsync(S.Shopper!, S.Turns);
        if (reply.Note is not null)
        {
            S.Turns.Add(new ConversationTurn { Role = TurnRole.System, Text = reply.Note, At = time.GetUtcNow(), Author = "system" });
        }

        var botTurn = Bot(reply.Text, reply.Awaiting, reply.ToolCalls);
        foreach (var proposal in reply.Proposals)
        {
            S.Actions.Add(new ProposedAction($"a{S.Actions.Count + 1}", proposal.Kind, proposal.OrderId, Redaction.Redact(proposal.Reason), ProposedActionStatus.Pending, time.GetUtcNow(), null));
        }

        if (reply.HandOffReason is not null)
        {
            await EscalateAsync(botTurn, reply.HandOffReason);
        }
        else
        {
            S.Turns.Add(botTurn);
            await state.WriteStateAsync();
        }

        return new TurnResult(shopperTurn, botTurn, S.Status);
    }

    public async Task<ConversationView> TakeOver(string agent)
    {
        RequireOpen();
        if (S.Status != ConversationStatus.Agent || S.AssignedAgent != agent)
        {
            S.Status = ConversationStatus.Agent;
            S.AssignedAgent = agent;
            S.WaitingSince = null;
            S.Turns.Add(new ConversationTurn { Role = TurnRole.System, Text = $"{agent} took over.", At = time.GetUtcNow(), Author = agent });
            await state.WriteStateAsync();
            await Inbox.Remove(Id);
        }

        return S.ToView(Id);
    }

    public async Task<ConversationView> AgentReply(string agent, string text)
    {
        RequireOpen();
        text = Validate(text);
        await TakeOver(agent);
        S.Turns.Add(new ConversationTurn { Role = TurnRole.Agent, Text = Redaction.Redact(text), At = time.GetUtcNow(), Author = agent });
        await state.WriteStateAsync();
        return S.ToView(Id);
    }

    public async Task<ConversationView> HandBack(string agent)
    {
        RequireOpen();
        if (S.Status != ConversationStatus.Agent)
        {
            throw new ConversationStateException($"Conversation '{Id}' is {Describe(S.Status)}; only one an agent holds can be handed back.");
        }

        S.Status = ConversationStatus.Bot;
        S.AssignedAgent = null;
        S.LowConfidenceRun = 0;
        S.Turns.Add(new ConversationTurn { Role = TurnRole.System, Text = $"{agent} handed the conversation back to the bot.", At = time.GetUtcNow(), Author = agent });
        await state.WriteStateAsync();
        return S.ToView(Id);
    }

    public async Task<ConversationView> Resolve(string agent)
    {
        Require();
        if (S.Status != ConversationStatus.Resolved)
        {
            S.Status = ConversationStatus.Resolved;
            S.WaitingSince = null;
            S.Turns.Add(new ConversationTurn { Role = TurnRole.System, Text = $"{agent} resolved the conversation.", At = time.GetUtcNow(), Author = agent });
            await state.WriteStateAsync();
            await Inbox.Remove(Id);
        }

        return S.ToView(Id);
    }

    public async Task<ConversationView> Decide(string actionId, bool approve, string agent)
    {
        Require();
        var index = S.Actions.FindIndex(a => a.Id == actionId);
        if (index < 0)
        {
            throw new KeyNotFoundException($"Conversation '{Id}' has no proposed action '{actionId}'.");
        }

        var action = S.Actions[index];
        if (action.Status != ProposedActionStatus.Pending)
        {
            throw new ConversationStateException($"Proposed action '{actionId}' was already {action.Status.ToString().ToLowerInvariant()} by {action.DecidedBy}.");
        }

        S.Actions[index] = action with { Status = approve ? ProposedActionStatus.Approved : ProposedActionStatus.Rejected, DecidedBy = agent };
        var verb = approve ? "approved" : "rejected";
        S.Turns.Add(new ConversationTurn { Role = TurnRole.System, Text = $"{agent} {verb} the proposed {action.Kind} of order {action.OrderId}.", At = time.GetUtcNow(), Author = agent });
        await state.WriteStateAsync();
        return S.ToView(Id);
    }

    public async Task Erase()
    {
        await Inbox.Remove(Id);
        await state.ClearStateAsync();
        state.State = new ConversationState();
        DeactivateOnIdle();
    }

    private ConversationTurn Bot(string text, string? awaiting, IReadOnlyList<ToolCallRecord> calls) =>
        new() { Role = TurnRole.Bot, Text = text, At = time.GetUtcNow(), Author = "bot", Awaiting = awaiting, ToolCalls = [.. calls] };

    private async Task EscalateAsync(ConversationTurn botTurn, string reason)
    {
        S.Turns.Add(botTurn);
        S.Status = ConversationStatus.NeedsAgent;
        S.WaitingSince ??= time.GetUtcNow();
        S.Summary = ConversationSummary.Of(S.Turns, reason);
        await state.WriteStateAsync();
        await Inbox.Put(InboxEntryNow());
    }

    private InboxEntry InboxEntryNow() =>
        new(Id, S.Shopper!, S.WaitingSince ?? time.GetUtcNow(), S.Summary ?? "", S.Turns.LastOrDefault(t => t.Role == TurnRole.Shopper)?.SentimentScore);

    private string Validate(string? text)
    {
        var max = options.Value.MaxMessageLength;
        return string.IsNullOrWhiteSpace(text) ? throw new InvalidInputException("text", "is required and may not be blank")
            : text.Length > max ? throw new InvalidInputException("text", $"is {text.Length} characters; at most {max} are allowed")
            : text.Trim();
    }

    private void Require()
    {
        if (S.Shopper is null)
        {
            throw new KeyNotFoundException($"Conversation '{Id}' does not exist.");
        }
    }

    private void RequireOpen()
    {
        Require();
        if (S.Status == ConversationStatus.Resolved)
        {
            throw new ConversationStateException($"Conversation '{Id}' is resolved; it can no longer be answered or taken over.");
        }
    }

    private static string Describe(ConversationStatus status) => status switch
    {
        ConversationStatus.NeedsAgent => "waiting for an agent",
        _ => status.ToString().ToLowerInvariant(),
    };
}
