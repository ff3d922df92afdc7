using Marketing.Abstractions;
using Marketing.Abstractions.Shoppers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Marketing.Client;

public static class MarketingClientExtensions
{
    /// <summary>
    /// Joins this process to the marketing cluster as an Orleans client, configured from the <c>Cluster</c> and
    /// <c>Privacy</c> sections, and registers <see cref="ShopperPseudonym"/> for addressing shoppers.
    /// </summary>
    public static IHostApplicationBuilder AddMarketingClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMarketingOptions();
        var cluster = builder.Configuration.GetSection(MarketingClusterOptions.SectionName).Get<MarketingClusterOptions>()
            ?? new MarketingClusterOptions();

        builder.UseOrleansClient(client =>
        {
            if (cluster.UsesAzureStorage)
            {
                client.UseAzureStorageClustering(o => o.TableServiceClient = new(cluster.StorageConnectionString));
                client.Configure<Orleans.Configuration.ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
            }
            else
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            }
        });
        return builder;
    }

    /// <summary>Binds and validates the options shared by silos and clients; a bad value stops start-up naming it.</summary>
    public static IServiceCollection AddMarketingOptions(this IServiceCollection services)
    {
        services.AddOptions<MarketingClusterOptions>()
            .BindConfiguration(MarketingClusterOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PrivacyOptions>()
            .BindConfiguration(PrivacyOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => new ShopperPseudonym(sp.GetRequiredService<IOptions<PrivacyOptions>>().Value.PseudonymKey));
        return services;
    }

    /// <summary>The grain of the shopper the shop knows as <paramref name="userId"/>.</summary>
    public static IShopperGrain GetShopper(this IGrainFactory grains, ShopperPseudonym pseudonym, string userId) =>
        grains.Ref<IShopperGrain>(pseudonym.Of(userId));
}
