using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Grains.Events;
using Marketing.Grains.Recommendations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Marketing.Grains.Tests.Recommendations;

/// <summary>
/// Two in-process silos sharing one event log, as silos share the durable log in production: each silo's
/// recommendation statistics must learn what the other acknowledged through the log cursor, and forget erased
/// shoppers. The four test aisles of <see cref="ShopCatalogue"/> are loaded once.
/// </summary>
public sealed class RecommendationClusterFixture : IAsyncLifetime
{
    private static readonly InMemoryEventLog SharedLog = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Each silo's statistics, to check that every silo learns (or forgets) the same.</summary>
    public IEnumerable<ItemInteractions> Statistics =>
        Cluster.Silos.Select(s => Cluster.GetSiloServiceProvider(s.SiloAddress).GetRequiredService<ItemInteractions>());

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Recommendations:LogPollInterval"] = "00:00:00.100",
            ["Recommendations:ProductCacheTime"] = "00:00:00.200",
        }));
        builder.ConfigureSilo((_, silo) =>
        {
            ClusterFixture.AddGrainStateStorage(silo);
            silo.Services.AddSingleton(SharedLog);
            silo.Services.AddSingleton<IEventLog>(SharedLog);
            silo.Services.AddSingleton<IEventLogReader>(SharedLog);
            silo.Services.AddSingleton<IEventLogCursor>(SharedLog);
            silo.AddMarketingGrains();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        await Task.WhenAll(ShopCatalogue.Products.Select(p => Grains.GetGrain<IProductGrain>(ShopCatalogue.Sku(p.Id))
            .Upsert(new ProductInput { Title = p.Name, Category = p.Aisle, Price = 3.5m, Stock = 10 })));

        // Shards take products in the background: the content tests need every one of them searchable first.
        await Eventually.WaitForAsync(() => Grains.GetGrain<IProductSearchGrain>(0).IndexedCount(), n => n >= ShopCatalogue.Products.Count);
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class RecommendationCollection : ICollectionFixture<RecommendationClusterFixture>
{
    public const string Name = "recommendations";
}
