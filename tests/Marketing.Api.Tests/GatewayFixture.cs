using System.Net.Http.Headers;
using Marketing.Abstractions;
using Marketing.Grains;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.TestingHost;

namespace Marketing.Api.Tests;

/// <summary>
/// One in-process Orleans cluster and one gateway for all gateway tests. The gateway is the real program; only its
/// Orleans client is swapped for the test cluster's (the in-process cluster talks over an in-memory transport that
/// an outside client cannot join).
/// </summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    public const string StorefrontKey = "test-storefront-key";
    public const string AgentKey = "test-agent-key-0";
    public const string MarketerKey = "test-marketer-key";
    public const string OperatorKey = "test-operator-key";

    private InProcessTestCluster? _cluster;

    public GatewayFactory Gateway { get; private set; } = null!;

    public InProcessTestCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.GrainState);
            silo.AddMemoryGrainStorage(StorageNames.CatalogueState);
            silo.AddMarketingGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
        Gateway = new GatewayFactory(this);
        // Start the gateway now so that the first test does not pay for (or time out on) the client's connection.
        _ = Gateway.Server;
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    /// <summary>A client for the shared gateway that sends <paramref name="apiKey"/> (none when null).</summary>
    public HttpClient Client(string? apiKey) => GatewayFactory.WithKey(Gateway.CreateClient(), apiKey);

    /// <summary>Settings every test gateway starts with; <see cref="GatewayFactory"/> callers may add more.</summary>
    internal Dictionary<string, string?> Settings()
    {
        return new Dictionary<string, string?>
        {
            ["Cluster:Provider"] = "Memory",
            ["Api:Keys:0:Key"] = StorefrontKey,
            ["Api:Keys:0:Role"] = "storefront",
            ["Api:Keys:0:Name"] = "test-storefront",
            ["Api:Keys:1:Key"] = AgentKey,
            ["Api:Keys:1:Role"] = "agent",
            ["Api:Keys:1:Name"] = "test-agent",
            ["Api:Keys:2:Key"] = MarketerKey,
            ["Api:Keys:2:Role"] = "marketer",
            ["Api:Keys:2:Name"] = "test-marketer",
            ["Api:Keys:3:Key"] = OperatorKey,
            ["Api:Keys:3:Role"] = "operator",
            ["Api:Keys:3:Name"] = "test-operator",
        };
    }
}

/// <summary>The gateway program hosted in memory, configured for the fixture's cluster plus any overrides.</summary>
public sealed class GatewayFactory(GatewayFixture fixture, IReadOnlyDictionary<string, string?>? overrides = null)
    : WebApplicationFactory<Program>
{
    public static HttpClient WithKey(HttpClient client, string? apiKey)
    {
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Not Development: the dev-only keys in appsettings.Development.json must not leak into these tests.
        builder.UseEnvironment("Testing");
        var settings = fixture.Settings();
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            // The gateway's own client would try to connect at start-up; drop its hosted service and hand the
            // endpoints the test cluster's client instead.
            var orleansHostedServices = services
                .Where(d => d.ServiceType == typeof(IHostedService) && IsOrleans(d.ImplementationFactory?.Method.DeclaringType ?? d.ImplementationType))
                .ToList();
            foreach (var descriptor in orleansHostedServices)
            {
                services.Remove(descriptor);
            }

            services.AddSingleton(fixture.Cluster.Client);
            services.AddSingleton<IGrainFactory>(fixture.Cluster.Client);
        });
    }

    private static bool IsOrleans(Type? type) =>
        type?.Assembly.GetName().Name?.StartsWith("Orleans", StringComparison.Ordinal) == true;
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
