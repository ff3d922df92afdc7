using Marketing.Abstractions.Conversations;

namespace Marketing.Grains.Conversations;

[GenerateSerializer, Alias("mk.ConversationState")]
public sealed class ConversationState
{
    [Id(0)] public string? Shopper { get; set; }
    [Id(1)] public ConversationStatus Status { get; set; }
    [Id(2)] public string? AssignedAgent { get; set; }
    [Id(3)] public string? Summary { get; set; }
    [Id(4)] public List<ConversationTurn> Turns { get; set; } = [];
    [Id(5)] public List<ProposedAction> Actions { get; set; } = [];
    [Id(6)] public DateTimeOffset StartedAt { get; set; }
    [Id(7)] public DateTimeOffset? WaitingSince { get; set; }

    /// <summary>Shopper turns in a row whose intent confidence was low.</summary>
    [Id(8)] public int LowConfidenceRun { get; set; }

    public ConversationView ToView(string id) => new()
    {
        Id = id,
        Shopper = Shopper ?? "",
        Status = Status,
        AssignedAgent = AssignedAgent,
        Summary = Summary,
        Turns = [.. Turns],
        ProposedActions = [.. Actions],
        StartedAt = StartedAt,
        WaitingSince = WaitingSince,
    };
}
