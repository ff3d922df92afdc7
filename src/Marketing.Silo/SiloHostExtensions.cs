using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Marketing.Abstractions;
using Marketing.Client;
using Marketing.Grains;
using Marketing.Grains.Events;
using Marketing.Silo.EventLog;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Serialization;
using Orleans.Storage;

namespace Marketing.Silo;

public static class SiloHostExtensions
{
    /// <summary>Tag combinations each metric stream keeps; the busiest of the silo's (Orleans' per-grain-type ones) use a few dozen.</summary>
    public const int MetricCardinalityLimit = 200;

    /// <summary>
    /// The silo: clustering, grain storage, reminders and the durable event log on Azure Storage (Azurite locally),
    /// or everything in memory when <c>Cluster:Provider</c> is <c>Memory</c>; plus the operators' dashboard.
    /// </summary>
    public static IHostApplicationBuilder AddMarketingSilo(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMarketingOptions();
        builder.Services.AddOptions<SiloEndpointOptions>().BindConfiguration(SiloEndpointOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<EventLogOptions>().BindConfiguration(EventLogOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        var cluster = builder.Configuration.GetSection(MarketingClusterOptions.SectionName).Get<MarketingClusterOptions>() ?? new();
        var silo = builder.Configuration.GetSection(SiloEndpointOptions.SectionName).Get<SiloEndpointOptions>() ?? new();

        builder.UseOrleans(orleans =>
        {
            orleans.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            if (silo.Name is { Length: > 0 } name)
            {
                orleans.Configure<SiloOptions>(o => o.SiloName = name);
            }

            if (silo.FastFailureDetection)
            {
                orleans.Configure<ClusterMembershipOptions>(o =>
                {
                    o.ProbeTimeout = TimeSpan.FromSeconds(2);
                    o.NumMissedProbesLimit = 2;
                    o.NumVotesForDeathDeclaration = 1;
                    o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                });
            }

            if (silo.DistributedGrainDirectory)
            {
#pragma warning disable ORLEANSEXP003 // Experimental in Orleans 10: opt-in, measured in the README before any default changes.
                orleans.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            }

            if (cluster.UsesAzureStorage)
            {
                orleans.ConfigureEndpoints(IPAddress.Parse(silo.AdvertisedIp), silo.SiloPort, silo.GatewayPort, listenOnAnyHostAddress: silo.AdvertisedIp != "127.0.0.1");
                orleans.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(cluster.StorageConnectionString));
                AddBlobGrainStorage(orleans, StorageNames.GrainState, cluster.StorageConnectionString, cluster.ServiceId);
                AddBlobGrainStorage(
                    orleans,
                    StorageNames.CatalogueState,
                    cluster.CatalogueStorageConnectionString is { Length: > 0 } catalogue ? catalogue : cluster.StorageConnectionString,
                    cluster.ServiceId);
                orleans.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(cluster.StorageConnectionString));
                var log = builder.Configuration.GetSection(EventLogOptions.SectionName).Get<EventLogOptions>() ?? new();
                AddDurableEventLog(orleans.Services, log.ConnectionString is { Length: > 0 } own ? own : cluster.StorageConnectionString);
            }
            else
            {
                orleans.UseLocalhostClustering(silo.SiloPort, silo.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                foreach (var storage in (string[])[StorageNames.GrainState, StorageNames.CatalogueState])
                {
                    orleans.AddMemoryGrainStorage(storage, (OptionsBuilder<MemoryGrainStorageOptions> memory) => memory.Configure<IServiceProvider>(
                        (o, services) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>())));
                }
                orleans.UseInMemoryReminderService();
            }

            orleans.AddMarketingGrains();
            orleans.AddDashboard();
        });

        builder.Services.AddHealthChecks().AddCheck<SiloReadinessCheck>("silo");
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter("Microsoft.Orleans", "System.Runtime")
            .AddMeter(SiloReadinessCheck.MarketingMeters)

            // The SDK sets aside 2,000 tag combinations for every instrument up front: 32 MB across the silo's 225
            // streams, where the busiest uses a few dozen. Past the limit a stream reports an overflow series.
            .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit })
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>Grain state in Azure Blob storage, with Orleans' own serializer: the provider's default JSON one cannot read immutable collections back.</summary>
    private static void AddBlobGrainStorage(ISiloBuilder orleans, string name, string connectionString, string serviceId) =>
        orleans.AddAzureBlobGrainStorage(name, (OptionsBuilder<AzureBlobStorageOptions> blob) => blob.Configure<IServiceProvider>((o, services) =>
        {
            o.BlobServiceClient = new BlobServiceClient(connectionString);
            // Blob names carry only the grain id, so the service id goes into the container name: two services on one
            // storage account (or two test clusters on one Azurite) must not read each other's grains. Both providers
            // use the same container, so with one account a catalogue stored before the split still reads.
            o.ContainerName = GrainStateContainer(serviceId);
            o.GrainStorageSerializer = new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
        }));

    /// <summary>A valid blob container name (3-63 lowercase letters, digits and single hyphens) for the service's grain state.</summary>
    public static string GrainStateContainer(string serviceId)
    {
        var name = new string([.. serviceId.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
        while (name.Contains("--", StringComparison.Ordinal))
        {
            name = name.Replace("--", "-", StringComparison.Ordinal);
        }

        name = name.Trim('-');
        const string suffix = "-grain-state";
        if (name.Length > 63 - suffix.Length)
        {
            name = name[..(63 - suffix.Length)].TrimEnd('-');
        }

        return name.Length == 0 ? suffix.TrimStart('-') : name + suffix;
    }

    private static void AddDurableEventLog(IServiceCollection services, string connectionString)
    {
        services.AddSingleton(new BlobServiceClient(connectionString));
        services.AddSingleton<IEventLogStore>(sp => new AzureBlobEventLogStore(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(sp.GetRequiredService<IOptions<EventLogOptions>>().Value.Container)));
        services.AddSingleton<DurableEventLog>();
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<DurableEventLog>());
        services.AddSingleton<IEventLogReader>(sp => sp.GetRequiredService<DurableEventLog>());
        services.AddSingleton<IEventLogCursor>(sp => new EventLogCursor(sp.GetRequiredService<IEventLogStore>()));
        services.AddSingleton<EventLogRecovery>();
        services.AddSingleton<IEventLogRecovery>(sp => sp.GetRequiredService<EventLogRecovery>());
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<EventLogRecovery>());
        services.AddSingleton<EventLogLifecycle>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<EventLogLifecycle>());
    }

    /// <summary>Readiness as JSON: status, and per check its description and data (active silos, the encoder's provider and queue).</summary>
    private static Task WriteHealthAsync(HttpContext http, Microsoft.Extensions.Diagnostics.HealthChecks.HealthReport report) =>
        http.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description, data = e.Value.Data }),
        });

    /// <summary>Health for orchestrators, the dashboard for operators, metrics, and a memory probe for benchmarks.</summary>
    public static WebApplication MapSiloEndpoints(this WebApplication app)
    {
        app.MapGet("/", () => Results.Redirect("/dashboard"));
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new() { ResponseWriter = WriteHealthAsync });
        app.MapOrleansDashboard("/dashboard");
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/diagnostics/memory", async (IGrainFactory grains, ILocalSiloDetails local, WriteBehindTracker tracker) =>
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var stats = await grains.GetGrain<IManagementGrain>(0).GetRuntimeStatistics([local.SiloAddress]);
            return Results.Ok(new
            {
                gcHeapBytes = GC.GetTotalMemory(forceFullCollection: false),
                activations = stats.Sum(s => s.ActivationCount),
                dirtyShoppers = tracker.DirtyCount,
            });
        });
        return app;
    }
}
