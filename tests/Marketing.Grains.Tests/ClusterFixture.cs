using System.Collections.Concurrent;
using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Grains.Events;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Marketing.Grains.Tests;

/// <summary>Two in-process silos with memory storage, shared by the grain tests.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>The grain storage the silos share (memory), to read what a grain has written.</summary>
    public IGrainStorage GrainStorage =>
        Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);

    /// <summary>Log records a test plants as if a crashed silo had left them behind.</summary>
    public static PlantedRecovery Planted { get; } = new();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);

        // Product counters handed over quickly, so a test sees them without waiting out the default 5 s; index
        // snapshots a second after the last change, not the default 5.
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Events:ProductStatsInterval"] = "00:00:00.500",
            ["Search:SnapshotQuietPeriod"] = "00:00:01",
        }));
        builder.ConfigureSilo((_, silo) =>
        {
            AddGrainStateStorage(silo);
            silo.Services.AddSingleton<IEventLogRecovery>(Planted);
            silo.AddMarketingGrains();
            silo.Services.AddShopperEventSubscriber<ThrowingSubscriber>();
            silo.Services.AddShopperEventSubscriber<HangingSubscriber>();
            silo.Services.AddShopperEventSubscriber<RecordingSubscriber>();
            silo.AddIncomingGrainCallFilter<DirectoryLoss>();
            silo.AddIncomingGrainCallFilter<Unreachable>();
            silo.AddIncomingGrainCallFilter<SlowCalls>();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>
    /// Memory grain storage with Orleans' own serializer, as the silo host configures it (the default JSON one cannot
    /// read immutable collections back), behind <see cref="FailingWrites"/>.
    /// </summary>
    public static void AddGrainStateStorage(ISiloBuilder silo)
    {
        const string memoryName = "memory-" + StorageNames.GrainState;
        silo.AddMemoryGrainStorage(memoryName, (OptionsBuilder<MemoryGrainStorageOptions> memory) => memory.Configure<IServiceProvider>(
            (o, services) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>())));
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.GrainState, (services, _) => new FailingWrites(services.GetRequiredKeyedService<IGrainStorage>(memoryName)));

        // The catalogue's state in the same store, as when no account of its own is configured.
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.CatalogueState, (services, _) => services.GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState));
    }

    /// <summary>Every record in every silo's in-memory log.</summary>
    public async Task<List<LoggedEvent>> LoggedAsync()
    {
        var all = new List<LoggedEvent>();
        foreach (var silo in Cluster.Silos)
        {
            var log = Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<InMemoryEventLog>();
            await foreach (var record in log.ReadAllAsync())
            {
                all.Add(record);
            }
        }

        return all;
    }

    public static ShopperEvent View(string id, string sku, DateTimeOffset? at = null) =>
        new() { EventId = id, Type = ShopperEventType.View, Timestamp = at ?? DateTimeOffset.UtcNow, Sku = sku };

    public static ShopperEvent Purchase(string id, string orderId, params (string Sku, int Quantity, decimal Price)[] lines) => new()
    {
        EventId = id,
        Type = ShopperEventType.Purchase,
        Timestamp = DateTimeOffset.UtcNow,
        OrderId = orderId,
        Lines = [.. lines.Select(l => new OrderLine(l.Sku, l.Quantity, l.Price))],
    };
}

public sealed class PlantedRecovery : IEventLogRecovery
{
    private readonly ConcurrentDictionary<string, ImmutableArray<LoggedEvent>> _pending = new();

    public void Plant(string shopper, params LoggedEvent[] records) => _pending[shopper] = [.. records];

    public ValueTask<IReadOnlyList<LoggedEvent>> PendingFor(string shopper, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<LoggedEvent>>(_pending.TryGetValue(shopper, out var r) ? r : []);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
