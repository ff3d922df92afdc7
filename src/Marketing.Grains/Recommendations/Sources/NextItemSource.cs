namespace Marketing.Grains.Recommendations.Sources;

/// <summary>Next-item transitions: what shoppers went on to after the products this shopper (or page) is at.</summary>
public sealed class NextItemSource(ItemInteractions interactions) : ICandidateSource
{
    public string Name => SourceNames.NextItem;

    public Task<IReadOnlyList<Candidate>> CandidatesAsync(CandidateQuery query, int count, CancellationToken cancellationToken) =>
        Task.FromResult(SeededNeighbours.Merge(query.Seeds, count, ReasonKind.NextItem, interactions.NextAfter));
}
