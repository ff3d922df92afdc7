using Marketing.Abstractions.Recommendations;

namespace Marketing.Grains.Recommendations;

/// <summary>The silo's recommender as a grain: a stateless worker, so each request is answered on the silo that receives it.</summary>
[StatelessWorker]
public sealed class RecommendationGrain(Recommender recommender) : Grain, IRecommendationGrain
{
    public Task<RecommendationList> Recommend(RecommendationRequest request) => recommender.RecommendAsync(GrainFactory, request);

    public Task<RecommendationList> AlsoBought(string sku, int k) => recommender.AlsoBoughtAsync(GrainFactory, sku, k);
}
