using System.Collections.Immutable;

namespace Marketing.Abstractions.Conversations;

/// <summary>One support conversation, keyed by its id: the shopper's messages, the bot's or an agent's replies.</summary>
[Alias("mk.IConversationGrain")]
public interface IConversationGrain : IGrainWithStringKey
{
    /// <summary>Opens the conversation for <paramref name="shopper"/> (a pseudonym); opening it again is harmless.</summary>
    [Alias("Start")]
    Task<ConversationView> Start(string shopper);

    /// <summary>
    /// A shopper's message. The turn is stored before the bot answers, and the reply after, so an acknowledged turn
    /// is never lost. While a person holds the conversation there is no bot reply.
    /// </summary>
    [Alias("Post")]
    Task<TurnResult> Post(string text);

    /// <summary>The conversation, or null when it was never started (or was erased).</summary>
    [Alias("Get")]
    Task<ConversationView?> Get();

    [Alias("TakeOver")]
    Task<ConversationView> TakeOver(string agent);

    [Alias("AgentReply")]
    Task<ConversationView> AgentReply(string agent, string text);

    [Alias("HandBack")]
    Task<ConversationView> HandBack(string agent);

    [Alias("Resolve")]
    Task<ConversationView> Resolve(string agent);

    /// <summary>Approves or rejects a proposed action; nothing runs without an agent's approval.</summary>
    [Alias("Decide")]
    Task<ConversationView> Decide(string actionId, bool approve, string agent);

    /// <summary>Removes the conversation (with its shopper's erasure).</summary>
    [Alias("Erase")]
    Task Erase();
}

/// <summary>The conversations that need a person, longest waiting first. One grain, key <c>0</c>.</summary>
[Alias("mk.IConversationInboxGrain")]
public interface IConversationInboxGrain : IGrainWithIntegerKey
{
    [Alias("Put")]
    Task Put(InboxEntry entry);

    [Alias("Remove")]
    Task Remove(string conversationId);

    [Alias("List")]
    Task<ImmutableArray<InboxEntry>> List();
}

/// <summary>A shopper's support data: their orders (from purchase events) and their conversations, erased with them.</summary>
[Alias("mk.IShopperSupportGrain")]
public interface IShopperSupportGrain : IGrainWithStringKey
{
    [Alias("RecordOrders")]
    Task RecordOrders(ImmutableArray<OrderRecord> orders);

    [Alias("Orders")]
    Task<ImmutableArray<OrderRecord>> Orders();

    [Alias("AddConversation")]
    Task AddConversation(string conversationId);

    [Alias("Erase")]
    Task Erase();
}
