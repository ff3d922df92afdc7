using Marketing.Abstractions.Conversations;

namespace Marketing.Grains.Conversations;

/// <summary>A few lines for whoever takes a conversation over: why it came to them, what the shopper wanted, what was done.</summary>
public static class ConversationSummary
{
    public static string Of(IReadOnlyList<ConversationTurn> turns, string reason)
    {
        var shopper = turns.Where(t => t.Role == TurnRole.Shopper).ToList();
        var intents = shopper.Select(t => t.Intent).OfType<string>().Distinct().ToList();
        var calls = turns.SelectMany(t => t.ToolCalls).Select(c => c.Name).Distinct().ToList();
        var last = shopper.LastOrDefault()?.Text ?? "";
        if (last.Length > 200)
        {
            last = last[..200] + "…";
        }

        return $"Needs a person: {reason}. Shopper's intents: {(intents.Count == 0 ? "none" : string.Join(", ", intents))}. " +
            $"Bot looked up: {(calls.Count == 0 ? "nothing" : string.Join(", ", calls))}. Last message: \"{last}\"";
    }
}
