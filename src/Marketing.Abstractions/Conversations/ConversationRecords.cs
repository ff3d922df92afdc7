using System.Collections.Immutable;

namespace Marketing.Abstractions.Conversations;

/// <summary>Who holds a conversation: the bot, nobody yet (waiting for a person), an agent, or no one (resolved).</summary>
public enum ConversationStatus
{
    Bot,
    NeedsAgent,
    Agent,
    Resolved,
}

/// <summary>Who wrote a turn.</summary>
public enum TurnRole
{
    Shopper,
    Bot,
    Agent,
    System,
}

/// <summary>One function the responder called for a turn: its name, its arguments (JSON) and what it returned.</summary>
[GenerateSerializer, Immutable, Alias("mk.ToolCallRecord")]
public sealed record ToolCallRecord(
    [property: Id(0)] string Name,
    [property: Id(1)] string Arguments,
    [property: Id(2)] string Result);

/// <summary>
/// One turn of a conversation, our own record (not Semantic Kernel's message types, which Orleans cannot persist).
/// Text is stored redacted (e-mail addresses, phone and card numbers). Intent and sentiment are set on shoppers'
/// turns; tool calls on the bot's; <see cref="Awaiting"/> is the slot the bot asked for, if any.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.ConversationTurn")]
public sealed record ConversationTurn
{
    [Id(0)] public required TurnRole Role { get; init; }
    [Id(1)] public required string Text { get; init; }
    [Id(2)] public required DateTimeOffset At { get; init; }
    [Id(3)] public string? Author { get; init; }
    [Id(4)] public string? Intent { get; init; }
    [Id(5)] public float? Confidence { get; init; }
    [Id(6)] public string? Sentiment { get; init; }
    [Id(7)] public float? SentimentScore { get; init; }
    [Id(8)] public ImmutableArray<ToolCallRecord> ToolCalls { get; init; } = [];
    [Id(9)] public string? Awaiting { get; init; }
}

public enum ProposedActionStatus
{
    Pending,
    Approved,
    Rejected,
}

/// <summary>A side effect the responder asked for (start a return, cancel an order) that waits for an agent's decision.</summary>
[GenerateSerializer, Immutable, Alias("mk.ProposedAction")]
public sealed record ProposedAction(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string OrderId,
    [property: Id(3)] string Reason,
    [property: Id(4)] ProposedActionStatus Status,
    [property: Id(5)] DateTimeOffset ProposedAt,
    [property: Id(6)] string? DecidedBy);

[GenerateSerializer, Immutable, Alias("mk.ConversationView")]
public sealed record ConversationView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Shopper { get; init; }
    [Id(2)] public ConversationStatus Status { get; init; }
    [Id(3)] public string? AssignedAgent { get; init; }
    [Id(4)] public string? Summary { get; init; }
    [Id(5)] public ImmutableArray<ConversationTurn> Turns { get; init; } = [];
    [Id(6)] public ImmutableArray<ProposedAction> ProposedActions { get; init; } = [];
    [Id(7)] public DateTimeOffset StartedAt { get; init; }
    [Id(8)] public DateTimeOffset? WaitingSince { get; init; }
}

/// <summary>What a shopper's message produced: the reply (null when a person holds the conversation) and the status after it.</summary>
[GenerateSerializer, Immutable, Alias("mk.TurnResult")]
public sealed record TurnResult(
    [property: Id(0)] ConversationTurn Shopper,
    [property: Id(1)] ConversationTurn? Reply,
    [property: Id(2)] ConversationStatus Status);

/// <summary>A conversation waiting for a person, as the agents' inbox lists it.</summary>
[GenerateSerializer, Immutable, Alias("mk.InboxEntry")]
public sealed record InboxEntry(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] string Shopper,
    [property: Id(2)] DateTimeOffset WaitingSince,
    [property: Id(3)] string Summary,
    [property: Id(4)] float? LastSentiment);

/// <summary>One of a shopper's orders, as their purchase events tell it.</summary>
[GenerateSerializer, Immutable, Alias("mk.OrderRecord")]
public sealed record OrderRecord(
    [property: Id(0)] string OrderId,
    [property: Id(1)] DateTimeOffset PlacedAt,
    [property: Id(2)] decimal Total,
    [property: Id(3)] int Items,
    [property: Id(4)] ImmutableArray<string> Skus);

/// <summary>A change a conversation's current status does not allow (an agent replying to a resolved one).</summary>
[GenerateSerializer, Alias("mk.ConversationStateException")]
public sealed class ConversationStateException : Exception
{
    public ConversationStateException()
    {
    }

    public ConversationStateException(string message)
        : base(message)
    {
    }

    public ConversationStateException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
