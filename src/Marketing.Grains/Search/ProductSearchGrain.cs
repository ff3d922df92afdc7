using System.Collections.Immutable;
using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Ml.Search;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Search;

/// <summary>
/// Search across all shards. A query's words go to every shard's BM25 index at once, while the query is embedded and
/// then sent to every shard's vectors; each side's answers are merged, and <see cref="SearchMode.Hybrid"/> fuses the
/// two by reciprocal rank (<see cref="RankFusion"/>) before the product records are filled in. A reentrant stateless
/// worker: it only waits on other grains, so one activation per silo serves every concurrent search there.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class ProductSearchGrain(IOptions<SearchOptions> options) : Grain, IProductSearchGrain
{
    private readonly int _shards = options.Value.Shards;

    public async Task<SearchResults> Search(SearchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        SearchRules.ValidateQuery(request.Query, errors);
        SearchRules.ValidateK(request.K, errors);
        SearchRules.ValidateMode(request.Mode, errors);
        SearchRules.ThrowIfInvalid(errors);

        // Fusion reads more than k from each side: a product second-best by both beats one first by one side only.
        var category = CategoryKey(request.Category);
        var candidates = request.Mode == SearchMode.Hybrid ? RankFusion.CandidatesFor(request.K) : request.K;
        var started = Stopwatch.GetTimestamp();
        var words = request.Mode == SearchMode.Dense ? null : WordsAsync(new TextQuery(request.Query, candidates, category, request.InStockOnly));
        var (meaning, embedMs) = (default(IReadOnlyList<ProductMatch>), 0.0);
        if (request.Mode != SearchMode.Lexical)
        {
            var embedding = await GrainFactory.Ref<IEmbeddingGrain>(0).EmbedQuery(request.Query);
            embedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            meaning = await MeaningAsync(new VectorQuery(embedding.Vector, candidates, category, request.InStockOnly, null, embedding.Model));
        }

        var ranked = request.Mode switch
        {
            SearchMode.Dense => meaning!,
            SearchMode.Lexical => (await words!).Ranking,
            _ => await FuseAsync(meaning!, words!, request.K),
        };
        return await WithRecordsAsync(ranked, embedMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds - embedMs);
    }

    public async Task<SearchResults?> Similar(string sku, int k, string? category, bool inStockOnly)
    {
        var errors = new List<FieldError>();
        SearchRules.ValidateK(k, errors);
        SearchRules.ThrowIfInvalid(errors);

        // The product's own model's neighbours: before a reindex, a product embedded by an earlier model finds the
        // others still in that model's space rather than being compared with the new one's.
        var embedding = await GrainFactory.Ref<IProductEmbedding>(sku).GetTextEmbedding();
        return embedding is null ? null : await NearestAsync(new VectorQuery(embedding.Vector, k, CategoryKey(category), inStockOnly, sku, embedding.Model), 0);
    }

    public async Task<SearchResults> Nearest(VectorQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var errors = new List<FieldError>();
        SearchRules.ValidateK(query.K, errors);
        SearchRules.ThrowIfInvalid(errors);

        return await NearestAsync(query with { CategoryKey = CategoryKey(query.CategoryKey) }, 0);
    }

    public async Task<int> IndexedCount()
    {
        var counts = await Task.WhenAll(Enumerable.Range(0, _shards).Select(s => GrainFactory.Ref<IProductIndexGrain>(s).Count()));
        return counts.Sum();
    }

    public async Task<ImmutableArray<IndexedByModel>> IndexedByModel()
    {
        var perShard = await Task.WhenAll(Enumerable.Range(0, _shards).Select(s => GrainFactory.Ref<IProductIndexGrain>(s).CountByModel()));
        return [.. perShard.SelectMany(counts => counts)
            .GroupBy(c => c.Model)
            .Select(g => new IndexedByModel(g.Key, g.Sum(c => c.Products)))
            .OrderByDescending(c => c.Products)];
    }

    public async Task<int> RepairingShards()
    {
        var repairing = await Task.WhenAll(Enumerable.Range(0, _shards).Select(s => GrainFactory.Ref<IProductIndexGrain>(s).IsRepairing()));
        return repairing.Count(r => r);
    }

    private static string? CategoryKey(string? category) =>
        string.IsNullOrWhiteSpace(category) ? null : ProductRules.CategoryKey(category);

    private async Task<SearchResults> NearestAsync(VectorQuery query, double embedMs)
    {
        var started = Stopwatch.GetTimestamp();
        var best = await MeaningAsync(query);
        return await WithRecordsAsync(best, embedMs, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Every shard's best by cosine, merged.</summary>
    private async Task<IReadOnlyList<ProductMatch>> MeaningAsync(VectorQuery query)
    {
        var perShard = await Task.WhenAll(Enumerable.Range(0, _shards).Select(s => GrainFactory.Ref<IProductIndexGrain>(s).Search(query)));
        return RankFusion.MergeShards(perShard.Select(hits => hits.Select(h => new ProductMatch(h.Sku, h.Score, h.CategoryKey))), query.K);
    }

    /// <summary>
    /// Every shard's best by BM25, merged (each shard scores with its own statistics, as search engines' shards do),
    /// and the best coverage of the query's words any of them reached.
    /// </summary>
    private async Task<(IReadOnlyList<ProductMatch> Ranking, float BestCoverage)> WordsAsync(TextQuery query)
    {
        var perShard = await Task.WhenAll(Enumerable.Range(0, _shards).Select(s => GrainFactory.Ref<IProductIndexGrain>(s).SearchText(query)));
        var best = perShard.SelectMany(hits => hits).Select(h => h.Coverage).DefaultIfEmpty(0f).Max();
        return (RankFusion.MergeShards(perShard.Select(hits => hits.Select(h => new ProductMatch(h.Sku, h.Score, h.CategoryKey))), query.K), best);
    }

    private static async Task<IReadOnlyList<ProductMatch>> FuseAsync(IReadOnlyList<ProductMatch> meaning, Task<(IReadOnlyList<ProductMatch> Ranking, float BestCoverage)> words, int k)
    {
        var (ranking, coverage) = await words;
        return RankFusion.Hybrid(ranking, coverage, meaning, k);
    }

    private async Task<SearchResults> WithRecordsAsync(IReadOnlyList<ProductMatch> best, double embedMs, double searchMs)
    {
        var products = await Task.WhenAll(best.Select(h => GrainFactory.Ref<IProductGrain>(h.Sku).Get()));
        var hits = ImmutableArray.CreateBuilder<SearchHit>(best.Count);
        for (var i = 0; i < best.Count; i++)
        {
            // A product deleted since the shard answered is left out rather than shown without a record.
            if (products[i] is { } p)
            {
                hits.Add(new SearchHit(p.Sku, best[i].Score, p.Title, p.Category, p.Price, p.Stock));
            }
        }

        return new SearchResults(hits.ToImmutable(), _shards, embedMs, searchMs);
    }
}
