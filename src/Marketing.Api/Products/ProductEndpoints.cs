using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Api.Cluster;
using Marketing.Api.Problems;
using Marketing.Api.Security;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Products;

/// <summary>The catalogue: products by SKU, pages of a category, the category list, and bulk import.</summary>
public static class ProductEndpoints
{
    /// <summary>The single catalogue grain's key (one per cluster).</summary>
    public const string CatalogueKey = CatalogueKeys.All;

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapProducts(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/products").WithTags("Products");

        products.MapPut("/{sku}", UpsertAsync)
            .RequireAuthorization(ApiPolicies.WriteCatalogue)
            .WithName("UpsertProduct")
            .WithSummary("Create or replace a product")
            .Accepts<ProductRequest>("application/json")
            .Produces<Product>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        products.MapGet("/{sku}", GetAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithName("GetProduct")
            .WithSummary("A product by SKU")
            .Produces<Product>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        products.MapDelete("/{sku}", DeleteAsync)
            .RequireAuthorization(ApiPolicies.WriteCatalogue)
            .WithName("DeleteProduct")
            .WithSummary("Remove a product from the catalogue and its category")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        products.MapGet("/", ListAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithName("ListProducts")
            .WithSummary("A page of the products in a category")
            .Produces<ProductPage>()
            .ProducesValidationProblem();

        products.MapPost("/bulk", BulkAsync)
            .RequireAuthorization(ApiPolicies.WriteCatalogue)
            .WithName("ImportProducts")
            .WithSummary("Create or replace many products")
            .WithDescription("An array of products, each with its sku. All are checked first; any invalid field refuses the whole import.")
            .Accepts<List<ProductRequest>>("application/json")
            .Produces<BulkImportSummary>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        app.MapGet("/categories", CategoriesAsync)
            .RequireAuthorization(ApiPolicies.ReadCatalogue)
            .WithTags("Products")
            .WithName("ListCategories")
            .WithSummary("Categories that hold at least one product, with their counts")
            .Produces<ImmutableArray<CategoryCount>>();
        return app;
    }

    private static async Task<IResult> UpsertAsync(
        string sku, HttpContext http, IGrainFactory grains, ClusterWrites writes, IOptions<RequestLimitsOptions> limits)
    {
        var request = await RequestBody.ReadJsonAsync<ProductRequest>(http, limits.Value.DefaultBodyBytes, null, http.RequestAborted);
        var errors = new List<FieldError>();
        if (request.Sku is not null && request.Sku != sku)
        {
            errors.Add(new("sku", "must match the SKU in the URL (or be left out)"));
        }

        var input = request.ToInput(sku, "", errors);
        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        // An upsert replaces the whole record with the same values each time (an unchanged text keeps its embedding),
        // so one that may have run already is safe to send again.
        var grain = grains.GetGrain<IProductGrain>(sku);
        return TypedResults.Ok(await writes.ResendAsync(() => grain.Upsert(input), http.RequestAborted));
    }

    private static async Task<IResult> GetAsync(string sku, IGrainFactory grains) =>
        await grains.GetGrain<IProductGrain>(sku).Get() is { } product
            ? TypedResults.Ok(product)
            : FieldErrors.NotFound($"Product '{sku}'");

    private static async Task<IResult> DeleteAsync(string sku, IGrainFactory grains) =>
        await grains.GetGrain<IProductGrain>(sku).Delete()
            ? TypedResults.NoContent()
            : FieldErrors.NotFound($"Product '{sku}'");

    private static async Task<IResult> ListAsync(IGrainFactory grains, string? category, int? offset, int? limit)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(category))
        {
            errors.Add(new("category", "is required (see GET /categories)"));
        }

        if (offset is < 0)
        {
            errors.Add(new("offset", "must not be negative"));
        }

        if (limit is < 1 or > MaxPageSize)
        {
            errors.Add(new("limit", $"must be between 1 and {MaxPageSize}"));
        }

        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors);
        }

        var from = offset ?? 0;
        var size = limit ?? DefaultPageSize;
        var page = await grains.GetGrain<ICategoryDirectoryGrain>(ProductRules.CategoryKey(category!)).List(from, size);
        var products = await Task.WhenAll(page.Skus.Select(sku => grains.GetGrain<IProductGrain>(sku).Get()));
        // A product deleted between the two reads is simply left out of the page.
        return TypedResults.Ok(new ProductPage(category!, from, size, page.Total, [.. products.OfType<Product>()]));
    }

    private static async Task<IResult> CategoriesAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<ICatalogueGrain>(CatalogueKey).Categories());

    private static async Task<IResult> BulkAsync(HttpContext http, IGrainFactory grains, ClusterWrites writes, IOptions<RequestLimitsOptions> options)
    {
        var limits = options.Value;
        var requests = await RequestBody.ReadJsonAsync<List<ProductRequest?>>(http, limits.BulkBodyBytes, "products", http.RequestAborted);
        var errors = new List<FieldError>();
        if (requests.Count == 0)
        {
            errors.Add(new("products", "at least one product is required"));
        }
        else if (requests.Count > limits.MaxProductsPerBulk)
        {
            errors.Add(new("products", $"at most {limits.MaxProductsPerBulk} products per import (got {requests.Count}); split it"));
        }

        var inputs = new List<(string Sku, ProductInput Input)>(requests.Count);
        var firstIndexOfSku = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < requests.Count && errors.Count < 1_000; i++)
        {
            var path = $"products[{i}].";
            if (requests[i] is not { } request)
            {
                errors.Add(new($"products[{i}]", "must be a product object, not null"));
                continue;
            }

            var input = request.ToInput(request.Sku, path, errors);
            if (request.Sku is { } sku)
            {
                // Upserts run concurrently, so two items with one SKU would race; refuse rather than pick one.
                if (!firstIndexOfSku.TryAdd(sku, i))
                {
                    errors.Add(new($"{path}sku", $"repeats products[{firstIndexOfSku[sku]}].sku"));
                }

                inputs.Add((sku, input));
            }
        }

        if (errors.Count > 0)
        {
            return FieldErrors.Problem(errors, "No product in this import was stored; fix the fields named in errors and resend it.");
        }

        var upserted = 0;
        await Parallel.ForEachAsync(
            inputs,
            new ParallelOptions { MaxDegreeOfParallelism = limits.BulkConcurrency, CancellationToken = http.RequestAborted },
            async (item, cancellationToken) =>
            {
                // Each upsert is resent on its own, safely as for PUT /products/{sku}; SKUs are distinct, so no two race.
                var grain = grains.GetGrain<IProductGrain>(item.Sku);
                await writes.ResendAsync(() => grain.Upsert(item.Input), cancellationToken);
                Interlocked.Increment(ref upserted);
            });
        return TypedResults.Ok(new BulkImportSummary(upserted));
    }
}
