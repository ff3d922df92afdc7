using Marketing.Abstractions;
using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Recommendations.Sources;

/// <summary>
/// Products whose text is close to what the shopper is into (their interest embedding against the product index), or,
/// on a product page, to that product's own text. The index and the interest fold already exist; this only asks them.
/// </summary>
public sealed class ContentSource : ICandidateSource
{
    public string Name => SourceNames.Content;

    public async Task<IReadOnlyList<Candidate>> CandidatesAsync(CandidateQuery query, int count, CancellationToken cancellationToken)
    {
        var search = query.Grains.Ref<IProductSearchGrain>(0);
        if (query.ContextSku is { } page)
        {
            var similar = await search.Similar(page, count, null, inStockOnly: true);
            return similar is null ? [] : [.. similar.Hits.Select(h => new Candidate(h.Sku, h.Score, ReasonKind.Similar, page))];
        }

        if (query.Shopper is null)
        {
            return [];
        }

        var interest = await query.Grains.Ref<IShopperInterest>(query.Shopper).GetInterestEmbedding();
        if (interest is null)
        {
            return [];
        }

        var because = query.Seeds.Count > 0 ? query.Seeds[0].Sku : null;
        var nearest = await search.Nearest(new VectorQuery(interest.Vector, count, null, true, null, interest.Model));
        return [.. nearest.Hits.Select(h => new Candidate(h.Sku, h.Score, ReasonKind.Interest, because))];
    }
}
