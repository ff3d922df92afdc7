using Marketing.Abstractions.Conversations;
using Marketing.Abstractions.Events;
using Marketing.Grains.Events;

namespace Marketing.Grains.Conversations;

/// <summary>
/// Support's way into the event flow: each acknowledged purchase becomes an order on the shopper's
/// <see cref="IShopperSupportGrain"/>, which the order plugins read. Like every subscriber it may miss a batch its
/// silo had queued when it died; the order is then unknown to support until the shop sends it again.
/// </summary>
public sealed class OrdersSubscriber(IGrainFactory grains) : IShopperEventSubscriber
{
    public string Name => "support-orders";

    public async ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        foreach (var byShopper in records.Where(r => !r.Bot && r.Event is { Type: ShopperEventType.Purchase, OrderId: not null }).GroupBy(r => r.Shopper))
        {
            var orders = byShopper.Select(r => new OrderRecord(
                r.Event.OrderId!,
                r.Event.Timestamp,
                r.Event.Amount ?? r.Event.Lines.Sum(l => l.Quantity * l.Price),
                r.Event.Lines.Sum(l => l.Quantity),
                [.. r.Event.Lines.Select(l => l.Sku)]));
            await grains.GetGrain<IShopperSupportGrain>(byShopper.Key).RecordOrders([.. orders]);
        }
    }
}
