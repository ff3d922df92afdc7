using Marketing.Grains.Conversations;
using Marketing.Grains.Events;
using Marketing.Grains.Products;
using Marketing.Grains.Recommendations;
using Marketing.Grains.Search;
using Marketing.Grains.Shoppers;
using Marketing.Grains.Storage;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketing.Grains;

public static class GrainsSiloBuilderExtensions
{
    /// <summary>
    /// Registers what the grains need on a silo. The event log defaults to the in-memory one; a silo with durable
    /// storage registers its own <see cref="IEventLog"/>, <see cref="IEventLogReader"/>,
    /// <see cref="IEventLogCursor"/> and <see cref="IEventLogRecovery"/> first (these are added only if absent). The caller adds grain storage named
    /// <see cref="Abstractions.StorageNames.GrainState"/> and <see cref="Abstractions.StorageNames.CatalogueState"/>. The text encoder is the ONNX one from the <c>Encoder</c>
    /// section unless an <see cref="ITextEncoder"/> is registered first.
    /// </summary>
    public static ISiloBuilder AddMarketingGrains(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddOptions<EventIntakeOptions>()
            .BindConfiguration(EventIntakeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<SearchOptions>()
            .BindConfiguration(SearchOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<InterestOptions>()
            .BindConfiguration(InterestOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddTextEncoder();
        services.AddHostedService<EncoderWarmup>();
        services.TryAddSingleton<CurrentEmbeddingModel>();
        services.AddSingleton<StoredVectorsCheck>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<StoredVectorsCheck>());
        services.TryAddSingleton<QueryEmbeddingCache>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InMemoryEventLog>();
        services.TryAddSingleton<IEventLog>(sp => sp.GetRequiredService<InMemoryEventLog>());
        services.TryAddSingleton<IEventLogReader>(sp => sp.GetRequiredService<InMemoryEventLog>());
        services.TryAddSingleton<IEventLogCursor>(sp => sp.GetRequiredService<InMemoryEventLog>());
        services.TryAddSingleton<IEventLogRecovery, NoEventLogRecovery>();
        services.TryAddSingleton<WriteBehindTracker>();
        services.TryAddSingleton<WriteBehindScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<WriteBehindScheduler>());
        services.TryAddSingleton<ProductStatsBuffer>();
        services.TryAddSingleton<ProductEmbeddingCache>();
        services.TryAddSingleton<UnsavedEventBuffers>();
        services.TryAddSingleton<UnsavedHandOff>();
        services.AddPlacementDirector<SiloBoundPlacement, SiloBoundPlacementDirector>();
        services.AddHostedService<ProductStatsFlusher>();

        // Registered after the flusher so that it stops first: what is queued reaches the tally before the last round.
        services.TryAddSingleton<ShopperEventFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<ShopperEventFeed>());
        services.AddShopperEventSubscriber<ProductCountersSubscriber>();
        services.AddRecommendations();

        // Support conversations: the intent and sentiment models, the responder, and orders from purchase events.
        services.AddOptions<SupportOptions>()
            .BindConfiguration(SupportOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<SupportModels>();
        services.AddHostedService<SupportModelsWarmup>();
        services.TryAddSingleton<SupportResponder>();
        services.AddShopperEventSubscriber<OrdersSubscriber>();
        return silo;
    }
}
