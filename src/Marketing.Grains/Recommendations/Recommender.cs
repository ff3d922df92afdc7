using System.Collections.Immutable;
using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Recommendations;
using Marketing.Abstractions.Shoppers;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// One recommendation request, end to end: who the shopper is and whether their behaviour may be used, the seeds,
/// every candidate source at once, the blend, the catalogue's word on stock and category, and the reasons. A silo
/// singleton the stateless <see cref="RecommendationGrain"/> calls, so every silo answers with its own sources.
/// </summary>
public sealed class Recommender(
    IEnumerable<ICandidateSource> sources,
    ItemInteractions interactions,
    ProductFacts facts,
    IOptions<RecommendationOptions> options)
{
    private readonly ICandidateSource[] _sources = [.. sources];
    private readonly RecommendationBlender _blender = new(options.Value);

    public async Task<RecommendationList> RecommendAsync(IGrainFactory grains, RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var errors = new List<FieldError>();
        RecommendationRules.ValidateK(request.K, errors);
        if (request.Context == RecommendationContext.Product && string.IsNullOrWhiteSpace(request.Sku))
        {
            errors.Add(new("sku", "is required with context=product: the product page's sku"));
        }

        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var pageSku = request.Context == RecommendationContext.Product ? request.Sku : null;
        var page = pageSku is null ? Task.FromResult<Product?>(null) : facts.GetAsync(grains, pageSku);
        var view = request.Shopper is null ? Task.FromResult<ShopperView?>(null) : GetShopperAsync(grains, request.Shopper);
        if (pageSku is not null && await page is null)
        {
            throw new UnknownProductException("sku", pageSku);
        }

        // Unknown, erased (the grain holds nothing), bots, or refused personalisation: the list uses no behaviour of theirs.
        var shopper = await view is { Exists: true, IsBot: false, Consent.Personalisation: true } v ? v : null;
        var (seeds, rejected) = ShopperSeeds.From(shopper, pageSku, request.Context == RecommendationContext.Cart);
        var excluded = new HashSet<string>(rejected, StringComparer.Ordinal);
        if (pageSku is not null)
        {
            excluded.Add(pageSku);
        }

        if (shopper is not null)
        {
            // What the shopper just looked at or holds is known to them: the list offers what they have not seen.
            excluded.UnionWith(seeds.Select(s => s.Sku));
            excluded.UnionWith(shopper.Cart.Select(l => l.Sku));
            if (options.Value.ExcludePurchased)
            {
                excluded.UnionWith(interactions.BoughtBy(shopper.Shopper));
                excluded.UnionWith(shopper.RecentEvents.Where(e => e.Type == Abstractions.Events.ShopperEventType.Purchase && e.Sku is not null).Select(e => e.Sku!));
            }
        }

        var query = new CandidateQuery(shopper?.Shopper, request.Context, pageSku, seeds, grains);
        var items = await RankAsync(grains, query, request.K, excluded, cancellationToken);
        return new RecommendationList(items, shopper is not null, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public async Task<RecommendationList> AlsoBoughtAsync(IGrainFactory grains, string sku, int k)
    {
        var started = Stopwatch.GetTimestamp();
        var errors = new List<FieldError>();
        RecommendationRules.ValidateK(k, errors);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        if (await facts.GetAsync(grains, sku) is null)
        {
            throw new UnknownProductException("sku", sku);
        }

        var candidates = interactions.BoughtWith(sku, Math.Max(k * 3, 30));
        var skus = candidates.Select(c => c.Sku).ToList();
        var products = await facts.GetAsync(grains, [.. skus, sku]);
        var items = ImmutableArray.CreateBuilder<RecommendedItem>(k);
        for (var i = 0; i < candidates.Count && items.Count < k; i++)
        {
            if (products[i] is { Stock: > 0 } product)
            {
                var reason = ReasonText.For(new Candidate(product.Sku, candidates[i].Score, ReasonKind.BoughtTogether, sku), product, null, products[^1]);
                items.Add(new RecommendedItem(product.Sku, product.Title, product.Category, product.Price, candidates[i].Score, reason, [SourceNames.CoPurchase]));
            }
        }

        return new RecommendationList(items.ToImmutable(), false, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<ImmutableArray<RecommendedItem>> RankAsync(
        IGrainFactory grains, CandidateQuery query, int k, HashSet<string> excluded, CancellationToken cancellationToken)
    {
        var perSource = options.Value.CandidatesPerSource;
        var found = await Task.WhenAll(_sources.Select(async s => (s.Name, await s.CandidatesAsync(query, perSource, cancellationToken))));
        var blended = _blender.Blend(found, excluded);

        // The catalogue is asked about a few times k of the best, enough for the stock, rules and category caps to choose from.
        var shortlist = blended.Take(Math.Max(k * 4, 40)).ToList();
        var because = shortlist.Select(b => b.Reason.BecauseOf).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var products = await facts.GetAsync(grains, [.. shortlist.Select(b => b.Sku), .. because]);
        var titles = new Dictionary<string, Product?>(StringComparer.Ordinal);
        for (var i = 0; i < because.Count; i++)
        {
            titles[because[i]] = products[shortlist.Count + i];
        }

        var seeds = query.Seeds.ToDictionary(s => s.Sku, StringComparer.Ordinal);
        var picked = _blender.Pick(shortlist, products[..shortlist.Count], k);
        return [.. picked.Select(p =>
        {
            var reasonSku = p.Item.Reason.BecauseOf;
            var reason = ReasonText.For(
                p.Item.Reason,
                p.Product,
                reasonSku is not null && seeds.TryGetValue(reasonSku, out var seed) ? seed : null,
                reasonSku is null ? null : titles.GetValueOrDefault(reasonSku));
            return new RecommendedItem(p.Product.Sku, p.Product.Title, p.Product.Category, p.Product.Price, MathF.Round(p.Item.Score, 4), reason, p.Item.SourceNames);
        })];
    }

    private static async Task<ShopperView?> GetShopperAsync(IGrainFactory grains, string shopper) =>
        await grains.Ref<IShopperGrain>(shopper).Get();
}
