using Marketing.Grains.Events;
using Marketing.Grains.Recommendations.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketing.Grains.Recommendations;

public static class RecommendationsServiceCollectionExtensions
{
    /// <summary>
    /// The recommender, its built-in candidate sources (content, co-purchase, next-item, trending, popular), the
    /// statistics they share, the event subscriber that folds new events in and the log follower that keeps them whole.
    /// </summary>
    public static IServiceCollection AddRecommendations(this IServiceCollection services)
    {
        services.AddOptions<RecommendationOptions>()
            .BindConfiguration(RecommendationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ItemInteractions>();
        services.TryAddSingleton<ProductFacts>();
        services.TryAddSingleton<Recommender>();
        services.AddCandidateSource<ContentSource>();
        services.AddCandidateSource<CoPurchaseSource>();
        services.AddCandidateSource<NextItemSource>();
        services.AddCandidateSource<TrendingSource>();
        services.AddCandidateSource<PopularSource>();
        services.AddShopperEventSubscriber<InteractionsSubscriber>();
        services.TryAddSingleton<InteractionsLogFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<InteractionsLogFollower>());
        return services;
    }
}
