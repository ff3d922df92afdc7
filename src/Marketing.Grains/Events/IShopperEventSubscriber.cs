using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketing.Grains.Events;

/// <summary>
/// A feature that reacts to shopper events once they are durable (product counters today; recommendation fold-in,
/// campaign triggers and insight tallies next). A feature joins the event flow by registering one with
/// <see cref="ShopperEventSubscriberExtensions.AddShopperEventSubscriber{T}"/>; it does not edit the shopper grain.
/// </summary>
/// <remarks>
/// <para>Delivery is off the acknowledgement's path: the shopper grain hands each acknowledged batch to the silo's
/// <see cref="ShopperEventFeed"/>, which queues it for every subscriber and returns at once. Each subscriber is
/// called from a loop of its own, one batch at a time, in the order the batches were acknowledged on this silo, so a
/// subscriber that throws or is slow never fails or delays an acknowledgement, nor another subscriber.</para>
/// <para>What a subscriber may miss: batches still queued when the silo dies (a SIGKILL, or a stop that outlasts its
/// grace period), batches dropped while its queue was full (<see cref="EventIntakeOptions.SubscriberQueueCapacity"/>;
/// counted in <c>marketing.subscribers.events{outcome="dropped"}</c> and logged), and whatever it keeps in memory.
/// Events a shopper replays from a dead silo's log tail are not delivered again. A subscriber that must see every
/// event (a trainer, an aggregate) keeps a log position and catches up from the durable log with the log cursor;
/// one that only keeps advisory counts (the product counters) accepts the loss.</para>
/// </remarks>
public interface IShopperEventSubscriber
{
    /// <summary>The name in logs and metrics.</summary>
    string Name { get; }

    /// <summary>
    /// Takes one acknowledged batch of one shopper's records (bots' included; each says whether it is one). Runs on
    /// the thread pool, not on a grain's scheduler: a subscriber that calls grains does so as an outside caller.
    /// </summary>
    ValueTask OnEventsAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken);
}

public static class ShopperEventSubscriberExtensions
{
    /// <summary>Registers <typeparamref name="T"/> (a silo singleton) to receive every shopper event this silo acknowledges.</summary>
    public static IServiceCollection AddShopperEventSubscriber<T>(this IServiceCollection services)
        where T : class, IShopperEventSubscriber
    {
        services.TryAddSingleton<T>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IShopperEventSubscriber, T>(sp => sp.GetRequiredService<T>()));
        return services;
    }
}
