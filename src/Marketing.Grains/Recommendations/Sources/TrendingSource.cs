namespace Marketing.Grains.Recommendations.Sources;

/// <summary>What is drawing interest lately (weighted events, decaying with the trending half-life); needs no history of the shopper.</summary>
public sealed class TrendingSource(ItemInteractions interactions) : ICandidateSource
{
    public string Name => SourceNames.Trending;

    public Task<IReadOnlyList<Candidate>> CandidatesAsync(CandidateQuery query, int count, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candidate>>([.. interactions.Trending(count).Select(t => new Candidate(t.Sku, t.Score, ReasonKind.Trending))]);
}
