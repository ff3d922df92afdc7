namespace Marketing.Grains.Recommendations.Sources;

/// <summary>The most wanted products of all time (weighted events, negatives subtracted): the cold start's list.</summary>
public sealed class PopularSource(ItemInteractions interactions) : ICandidateSource
{
    public string Name => SourceNames.Popular;

    public Task<IReadOnlyList<Candidate>> CandidatesAsync(CandidateQuery query, int count, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Candidate>>([.. interactions.Popular(count).Select(t => new Candidate(t.Sku, t.Score, ReasonKind.Popular))]);
}
