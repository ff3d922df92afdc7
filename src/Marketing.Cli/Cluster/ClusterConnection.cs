using System.Data.Common;
using Marketing.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Cli.Cluster;

/// <summary>
/// Joins the cluster as an Orleans client configured like every other client (<c>Cluster__*</c>, <c>Privacy__*</c>
/// environment variables), failing fast with a message that says where it looked.
/// </summary>
public static class ClusterConnection
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The started client host, or null after printing why the cluster could not be reached.</summary>
    public static async Task<IHost?> ConnectAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        // The command's own arguments are not configuration: only the environment configures the client.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        // Orleans' and Azure's logs would tear through the progress bar and bury the one line that matters; failures
        // are reported in plain words here and counted in the summary. Logging__LogLevel__Default brings them back.
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        // A failed start is reported once, in plain words, below; the host's own stack trace adds nothing.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        builder.AddMarketingClient();
        var where = Describe(builder.Configuration);
        var host = builder.Build();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout);
        try
        {
            await host.StartAsync(deadline.Token);
            return host;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"invalid configuration: {string.Join("; ", e.Failures)}");
        }
        catch (Exception e) when (!cancellation.IsCancellationRequested)
        {
            var root = (e is AggregateException many ? many.Flatten().InnerExceptions[0] : e).GetBaseException();
            var why = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : $"{root.GetType().Name}: {FirstLine(root.Message)}";
            await Console.Error.WriteLineAsync($"cannot reach the cluster at {where}: is infra/run.sh running? ({why})");
        }

        host.Dispose();
        return null;
    }

    /// <summary>Where the client looks for gateways, without printing any account key.</summary>
    public static string Describe(IConfiguration configuration)
    {
        var cluster = configuration.GetSection(MarketingClusterOptions.SectionName).Get<MarketingClusterOptions>() ?? new();
        if (!cluster.UsesAzureStorage)
        {
            return $"127.0.0.1:{cluster.GatewayPort} (Cluster:Provider=Memory)";
        }

        return $"cluster '{cluster.ClusterId}' via Azure Table membership in {StorageAccount(cluster.StorageConnectionString)}";
    }

    private static string StorageAccount(string connectionString)
    {
        try
        {
            var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
            if (parts.TryGetValue("UseDevelopmentStorage", out var development) && $"{development}".Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                return "Azurite (127.0.0.1:10002)";
            }

            if (parts.TryGetValue("TableEndpoint", out var endpoint))
            {
                return $"{endpoint}";
            }

            return parts.TryGetValue("AccountName", out var account) ? $"storage account '{account}'" : "the configured storage account";
        }
        catch (ArgumentException)
        {
            return "an unreadable Cluster:StorageConnectionString";
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    public static IGrainFactory Grains(this IHost host) => host.Services.GetRequiredService<IGrainFactory>();
}
