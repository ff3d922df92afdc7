using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Conversations;

namespace Marketing.Grains.Conversations;

[GenerateSerializer, Alias("mk.ShopperSupportState")]
public sealed class ShopperSupportState
{
    [Id(0)] public Dictionary<string, OrderRecord> Orders { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    [Id(1)] public HashSet<string> Conversations { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A shopper's support data, keyed by their pseudonym: the orders their purchase events told (fed by
/// <see cref="OrdersSubscriber"/>) and the conversations they opened, all erased with the shopper.
/// </summary>
public sealed class ShopperSupportGrain(
    [PersistentState("support", StorageNames.GrainState)] IPersistentState<ShopperSupportState> state) : Grain, IShopperSupportGrain
{
    /// <summary>Orders kept per shopper (the most recent).</summary>
    public const int MaxOrders = 200;

    public async Task RecordOrders(ImmutableArray<OrderRecord> orders)
    {
        var changed = false;
        foreach (var order in orders)
        {
            changed |= !state.State.Orders.TryGetValue(order.OrderId, out var known) || known != order;
            state.State.Orders[order.OrderId] = order;
        }

        foreach (var old in state.State.Orders.Values.OrderByDescending(o => o.PlacedAt).Skip(MaxOrders).ToList())
        {
            state.State.Orders.Remove(old.OrderId);
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<ImmutableArray<OrderRecord>> Orders() =>
        Task.FromResult(state.State.Orders.Values.OrderByDescending(o => o.PlacedAt).ToImmutableArray());

    public async Task AddConversation(string conversationId)
    {
        if (state.State.Conversations.Add(conversationId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task Erase()
    {
        await Task.WhenAll(state.State.Conversations.Select(id => GrainFactory.GetGrain<IConversationGrain>(id).Erase()));
        await state.ClearStateAsync();
        state.State = new ShopperSupportState();
        DeactivateOnIdle();
    }
}
