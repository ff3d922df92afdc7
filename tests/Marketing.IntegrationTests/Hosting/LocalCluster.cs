using Marketing.Abstractions;
using Marketing.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Marketing.IntegrationTests.Hosting;

/// <summary>
/// One test's cluster: its own cluster and service ids and event-log container in the shared Azurite, silo
/// processes started and stopped at will, and Orleans clients configured exactly like the silos.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];
    private readonly List<IHost> _clients = [];

    private readonly ITestOutputHelper _output;

    /// <summary>A new cluster in <paramref name="azurite"/>; <paramref name="settings"/> are added for every silo and client.</summary>
    public LocalCluster(AzuriteFixture azurite, ITestOutputHelper output, IReadOnlyDictionary<string, string>? settings = null)
    {
        _output = output;
        var id = Guid.NewGuid().ToString("N")[..12];
        var all = new Dictionary<string, string>
        {
            ["Cluster:Provider"] = "AzureStorage",
            ["Cluster:StorageConnectionString"] = azurite.ConnectionString,
            ["Cluster:ClusterId"] = $"test-{id}",
            ["Cluster:ServiceId"] = $"test-{id}",
            ["EventLog:Container"] = $"event-log-{id}",
            // As infra/run.sh runs it; "" puts the log in the cluster's account.
            ["EventLog:ConnectionString"] = azurite.LogConnectionString,
            // Declare a killed silo dead in seconds rather than the production default.
            ["Silo:FastFailureDetection"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        Settings = all;
        KeyPrefix = id;
    }

    /// <summary>The configuration every silo and client of this cluster shares.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Unique to this cluster: prefix user ids and SKUs with it so tests never share grain state.</summary>
    public string KeyPrefix { get; }

    /// <summary>Starts another silo process and waits until it is ready.</summary>
    public async Task<SiloProcess> StartSiloAsync()
    {
        var silo = new SiloProcess($"silo-{_silos.Count}", Settings);
        _silos.Add(silo);
        await silo.StartAsync();
        return silo;
    }

    /// <summary>A connected Orleans client (Marketing.Client's <c>AddMarketingClient</c>), disposed with the cluster.</summary>
    public async Task<MarketingClient> ConnectClientAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddMarketingClient();
        var host = builder.Build();
        _clients.Add(host);
        await host.StartAsync();
        return new MarketingClient(
            host.Services.GetRequiredService<IClusterClient>(),
            host.Services.GetRequiredService<ShopperPseudonym>());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await client.StopAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                // Its silos are gone; nothing left to say goodbye to.
            }

            client.Dispose();
        }

        foreach (var silo in _silos)
        {
            silo.Dispose();
            // The silos' own account of the test, for whoever reads a failure.
            _output.WriteLine($"--- {silo.Name} (last lines) ---{Environment.NewLine}{silo.Tail}");
        }
    }
}

/// <summary>What a .NET frontend holds: the grain factory and the pseudonym for addressing shoppers.</summary>
public sealed record MarketingClient(IClusterClient Grains, ShopperPseudonym Pseudonym);
