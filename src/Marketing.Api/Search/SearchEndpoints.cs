using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;
using Marketing.Api.Problems;
using Marketing.Api.Security;
using Marketing.Client;

namespace Marketing.Api.Search;

/// <summary>Semantic search over the catalogue, similar products, what a shopper is into, and index upkeep.</summary>
public static class SearchEndpoints
{
    public const int DefaultK = 10;

    /// <summary>Product upserts a reindex keeps in flight.</summary>
    private const int ReindexConcurrency = 32;

    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/search", SearchAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithTags("Search")
            .WithName("SearchProducts")
            .WithSummary("Products that answer a query, by meaning and by its exact words")
            .WithDescription("q: the shopper's words; k: how many (1-100, default 10); category: only that category; inStock: only products in stock; mode: hybrid (default: the meaning ranking and BM25 over title, brand, category and description fused by reciprocal rank; score is the fused score), dense (meaning only; score is the cosine) or lexical (words only; score is BM25).")
            .Produces<SearchResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        app.MapGet("/products/{sku}/similar", SimilarAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithTags("Search")
            .WithName("SimilarProducts")
            .WithSummary("Products whose text is closest to this product's")
            .Produces<SearchResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        app.MapGet("/users/{id}/interests", InterestsAsync)
            .RequireAuthorization(ApiPolicies.ReadShoppers)
            .WithTags("Users")
            .WithName("UserInterests")
            .WithSummary("The products closest to a shopper's interest embedding")
            .WithDescription("Empty when the shopper has touched no embedded product yet or refused personalisation.")
            .Produces<SearchResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/search/status", StatusAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithTags("Search")
            .WithName("SearchStatus")
            .WithSummary("How many products are indexed, what the text encoder runs on and which model it runs")
            .WithDescription("model: the id stored vectors carry (name@weights-hash/dimensions/pooling/tokenizer). otherModelProducts: indexed products whose vectors another model made (or an earlier build that did not record it); searches leave them out until POST /search/reindex embeds them again.")
            .Produces<SearchStatus>();

        app.MapPost("/search/reindex", ReindexAsync)
            .RequireAuthorization(ApiPolicies.Operate)
            .WithTags("Search")
            .WithName("ReindexProducts")
            .WithSummary("Put every product in its index shard again, embedding any that lack an embedding of the encoder's model")
            .WithDescription("For after changing Search:Shards or the encoder model (after a crash, shards repair themselves from the products). Vectors the current model made are pushed again as they are; others are made again. otherModelProducts: what is still left of other models afterwards (0 unless the encoder was busy; run it again).")
            .Produces<ReindexSummary>();
        return app;
    }

    private static async Task<IResult> SearchAsync(IGrainFactory grains, string? q, int? k, string? category, bool? inStock, string? mode)
    {
        var errors = new List<FieldError>();
        SearchRules.ValidateQuery(q, errors);
        SearchRules.ValidateK(k, errors);
        var searchMode = SearchRules.ParseMode(mode, errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        var results = await grains.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest(q!, k ?? DefaultK, category, inStock ?? false, searchMode));
        return TypedResults.Ok(SearchResponse.From(q, results));
    }

    private static async Task<IResult> SimilarAsync(string sku, IGrainFactory grains, int? k, string? category, bool? inStock)
    {
        var errors = new List<FieldError>();
        SearchRules.ValidateK(k, errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        if (await grains.GetGrain<IProductGrain>(sku).Get() is null)
        {
            return FieldErrors.NotFound($"Product '{sku}'");
        }

        var results = await grains.GetGrain<IProductSearchGrain>(0).Similar(sku, k ?? DefaultK, category, inStock ?? false);
        return results is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not embedded yet", detail: $"Product '{sku}' has no text embedding yet (the encoder was busy); retry shortly.")
            : TypedResults.Ok(SearchResponse.From(null, results));
    }

    private static async Task<IResult> InterestsAsync(string id, IGrainFactory grains, ShopperPseudonym pseudonym, int? k, string? category, bool? inStock)
    {
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(id, "userId", errors);
        SearchRules.ValidateK(k, errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        var shopper = grains.GetShopper(pseudonym, id);
        if (!(await shopper.Get()).Exists)
        {
            return FieldErrors.NotFound($"Shopper '{id}'");
        }

        var interest = await shopper.AsReference<IShopperInterest>().GetInterestEmbedding();
        if (interest is null)
        {
            return TypedResults.Ok(new SearchResponse(null, [], 0, 0));
        }

        var results = await grains.GetGrain<IProductSearchGrain>(0).Nearest(new VectorQuery(interest.Vector, k ?? DefaultK, category, inStock ?? false, null, interest.Model));
        return TypedResults.Ok(SearchResponse.From(null, results));
    }

    private static async Task<IResult> StatusAsync(IGrainFactory grains)
    {
        var search = grains.GetGrain<IProductSearchGrain>(0);
        var byModel = search.IndexedByModel();
        var repairing = search.RepairingShards();
        var encoder = await grains.GetGrain<IEmbeddingGrain>(0).Describe();
        var others = (await byModel).Where(c => !c.Model.Equals(encoder.Model)).ToList();
        var otherCount = others.Sum(c => c.Products);
        return TypedResults.Ok(new SearchStatus(
            (await byModel).Sum(c => c.Products),
            await repairing,
            encoder,
            encoder.Model.ToString(),
            otherCount,
            [.. others.Select(c => new ModelProducts(c.Model.ToString(), c.Products))],
            otherCount == 0 ? null : $"{otherCount} indexed products carry vectors another model made; searches leave them out until POST /search/reindex embeds them again."));
    }

    private static async Task<IResult> ReindexAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var (reindexed, indexed) = await grains.ReindexCatalogueAsync(ReindexConcurrency, cancellationToken: cancellationToken);
        var model = (await grains.GetGrain<IEmbeddingGrain>(0).Describe()).Model;
        var byModel = await grains.GetGrain<IProductSearchGrain>(0).IndexedByModel();
        return TypedResults.Ok(new ReindexSummary(reindexed, indexed, byModel.Where(c => !c.Model.Equals(model)).Sum(c => c.Products)));
    }
}

public sealed record SearchResponse(string? Query, IReadOnlyList<SearchHit> Hits, double EmbedMilliseconds, double SearchMilliseconds)
{
    public static SearchResponse From(string? query, SearchResults results) =>
        new(query, results.Hits, Math.Round(results.EmbedMilliseconds, 2), Math.Round(results.SearchMilliseconds, 2));
}

/// <summary>
/// Products in the index, shards repairing themselves after a crash (0 normally), the encoder, the model its vectors
/// name, and the indexed products of other models (left out of searches until a reindex), with a note when there are any.
/// </summary>
public sealed record SearchStatus(
    int IndexedProducts,
    int RepairingShards,
    EncoderInfo Encoder,
    string Model,
    int OtherModelProducts,
    IReadOnlyList<ModelProducts> OtherModels,
    string? Note);

/// <summary>How many indexed products carry vectors of <see cref="Model"/>.</summary>
public sealed record ModelProducts(string Model, int Products);

/// <summary>Products put in their shards again, how many the shards hold afterwards, and how many of those another model made.</summary>
public sealed record ReindexSummary(int Reindexed, int Indexed, int OtherModelProducts);
