using Marketing.Grains.Events;

namespace Marketing.Grains.Products;

/// <summary>
/// The product counters' way into the event flow: each acknowledged event that names products (bots' left out) is
/// tallied in the silo's <see cref="ProductStatsBuffer"/>, which <see cref="ProductStatsFlusher"/> hands to the
/// product grains every few seconds. The counters are advisory: what a killed silo had not handed over is lost, and
/// the log keeps every event.
/// </summary>
public sealed class ProductCountersSubscriber(ProductStatsBuffer buffer) : IShopperEventSubscriber
{
    public string Name => "product-counters";

    public ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        foreach (var record in records)
        {
            if (!record.Bot)
            {
                buffer.Record(record.Event);
            }
        }

        return ValueTask.CompletedTask;
    }
}
