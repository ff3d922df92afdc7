using Marketing.Grains.Events;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// Recommendations' way into the event flow: what this silo acknowledges is in its <see cref="ItemInteractions"/>
/// before the next request, with no wait for the log poll. Events other silos acknowledge, and any this one missed
/// (dropped from a full queue, or queued when it died), arrive through <see cref="InteractionsLogFollower"/>.
/// </summary>
public sealed class InteractionsSubscriber(ItemInteractions interactions) : IShopperEventSubscriber
{
    public string Name => "recommendations";

    public ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken)
    {
        interactions.Add(records);
        return ValueTask.CompletedTask;
    }
}
