using System.ComponentModel;
using Marketing.Abstractions.Conversations;
using Microsoft.SemanticKernel;

namespace Marketing.Grains.Conversations.Plugins;

public sealed record OrderSummary(string OrderId, DateTimeOffset PlacedAt, decimal Total, int Items);

public sealed record OrderStatus(string OrderId, bool Found, string Status, DateTimeOffset? PlacedAt, DateTimeOffset? ShipsBy, DateTimeOffset? ArrivesBy, decimal Total, int Items);

/// <summary>The shopper's orders and their status, from their purchase events.</summary>
public sealed class OrdersPlugin(IGrainFactory grains, TurnContext turn, SupportOptions options, TimeProvider time)
{
    public const string Name = "orders";

    [KernelFunction("list_orders")]
    [Description("Lists the shopper's most recent orders.")]
    public async Task<IReadOnlyList<OrderSummary>> ListOrdersAsync()
    {
        var orders = await grains.GetGrain<IShopperSupportGrain>(turn.Shopper).Orders();
        return [.. orders.Take(5).Select(o => new OrderSummary(o.OrderId, o.PlacedAt, o.Total, o.Items))];
    }

    [KernelFunction("order_status")]
    [Description("The status of one of the shopper's orders: placed, shipped or delivered, with dates.")]
    public async Task<OrderStatus> OrderStatusAsync([Description("The order number")] string orderId)
    {
        var orders = await grains.GetGrain<IShopperSupportGrain>(turn.Shopper).Orders();
        var order = orders.FirstOrDefault(o => string.Equals(o.OrderId, orderId.Trim(), StringComparison.OrdinalIgnoreCase));
        if (order is null)
        {
            return new OrderStatus(orderId, false, "unknown", null, null, null, 0m, 0);
        }

        var shipsBy = order.PlacedAt.AddDays(options.ProcessingDays);
        var arrivesBy = shipsBy.AddDays(options.DeliveryDays);
        var now = time.GetUtcNow();
        var status = now >= arrivesBy ? "delivered" : now >= shipsBy ? "shipped" : "being prepared";
        return new OrderStatus(order.OrderId, true, status, order.PlacedAt, shipsBy, arrivesBy, order.Total, order.Items);
    }
}
