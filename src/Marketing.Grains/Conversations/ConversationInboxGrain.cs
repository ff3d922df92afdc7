using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Conversations;
using Marketing.Grains.Storage;

namespace Marketing.Grains.Conversations;

[GenerateSerializer, Alias("mk.ConversationInboxState")]
public sealed class ConversationInboxState
{
    [Id(0)] public Dictionary<string, InboxEntry> Waiting { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The conversations that need a person, longest waiting first; conversation grains keep it current.</summary>
[Reentrant]
public sealed class ConversationInboxGrain : Grain, IConversationInboxGrain
{
    public const long Key = 0;

    private readonly IPersistentState<ConversationInboxState> _state;
    private readonly CoalescingWrite _write;

    public ConversationInboxGrain([PersistentState("inbox", StorageNames.GrainState)] IPersistentState<ConversationInboxState> state)
    {
        _state = state;
        _write = new CoalescingWrite(() => _state.WriteStateAsync());
    }

    public Task Put(InboxEntry entry)
    {
        _state.State.Waiting[entry.ConversationId] = entry;
        return _write.WriteAsync();
    }

    public Task Remove(string conversationId) =>
        _state.State.Waiting.Remove(conversationId) ? _write.WriteAsync() : Task.CompletedTask;

    public Task<ImmutableArray<InboxEntry>> List() =>
        Task.FromResult(_state.State.Waiting.Values.OrderBy(e => e.WaitingSince).ThenBy(e => e.ConversationId, StringComparer.Ordinal).ToImmutableArray());
}
