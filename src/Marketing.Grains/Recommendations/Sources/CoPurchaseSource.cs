namespace Marketing.Grains.Recommendations.Sources;

/// <summary>"Bought together": products in the same orders as the page's product, the cart and the shopper's recent products.</summary>
public sealed class CoPurchaseSource(ItemInteractions interactions) : ICandidateSource
{
    public string Name => SourceNames.CoPurchase;

    public Task<IReadOnlyList<Candidate>> CandidatesAsync(CandidateQuery query, int count, CancellationToken cancellationToken) =>
        Task.FromResult(SeededNeighbours.Merge(query.Seeds, count, ReasonKind.BoughtTogether, interactions.BoughtWith));
}
