using System.Collections.Immutable;
using Marketing.Abstractions.Search;
using Orleans.Concurrency;

namespace Marketing.Abstractions.Products;

/// <summary>One catalogue item, keyed by SKU: its record, text embedding slot and daily interaction counters.</summary>
[Alias("mk.IProductGrain")]
public interface IProductGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the product and keeps the category directory in step.</summary>
    [Alias("Upsert")]
    Task<Product> Upsert(ProductInput input);

    /// <summary>
    /// The product, or null when it does not exist. Interleaves with a running write (it only reads memory), so a
    /// search that shows this product never waits behind its counters being stored.
    /// </summary>
    [Alias("Get")]
    [AlwaysInterleave]
    Task<Product?> Get();

    /// <summary>Removes the product from storage and from its category.</summary>
    [Alias("Delete")]
    Task<bool> Delete();

    /// <summary>Interaction counts per day (views, clicks, carts, purchases, reviews), newest first.</summary>
    [Alias("GetStats")]
    Task<ImmutableArray<DailyProductStats>> GetStats(int days);
}

/// <summary>A product's text embedding, for search and shopper interests; kept apart from the public product interface.</summary>
[Alias("mk.IProductEmbedding")]
public interface IProductEmbedding : IGrainWithStringKey
{
    /// <summary>
    /// The unit-length embedding of the product's text with the model that made it (which may not be the encoder's
    /// now); null when the product does not exist or is not embedded yet.
    /// </summary>
    [Alias("GetTextEmbedding")]
    [AlwaysInterleave]
    Task<Embedding?> GetTextEmbedding();

    /// <summary>What the product's index shard should hold for it; null when it does not exist or is not embedded yet.</summary>
    [Alias("GetIndexEntry")]
    [AlwaysInterleave]
    Task<IndexedProduct?> GetIndexEntry();

    /// <summary>
    /// Embeds the product if it has no embedding or one the encoder's model did not make, and puts it in its index
    /// shard again; false when the product does not exist. For rebuilding the index after the shard count or the
    /// encoder model changed.
    /// </summary>
    [Alias("Reindex")]
    Task<bool> Reindex();
}

[GenerateSerializer, Immutable, Alias("mk.ProductInput")]
public sealed record ProductInput
{
    [Id(0)] public required string Title { get; init; }
    [Id(1)] public string? Description { get; init; }
    [Id(2)] public required string Category { get; init; }
    [Id(3)] public string? Brand { get; init; }
    [Id(4)] public decimal Price { get; init; }
    [Id(5)] public int Stock { get; init; }
    [Id(6)] public ImmutableDictionary<string, string> Attributes { get; init; } = ImmutableDictionary<string, string>.Empty;
}

[GenerateSerializer, Immutable, Alias("mk.Product")]
public sealed record Product
{
    [Id(0)] public required string Sku { get; init; }
    [Id(1)] public required string Title { get; init; }
    [Id(2)] public string? Description { get; init; }
    [Id(3)] public required string Category { get; init; }
    [Id(4)] public string? Brand { get; init; }
    [Id(5)] public decimal Price { get; init; }
    [Id(6)] public int Stock { get; init; }
    [Id(7)] public ImmutableDictionary<string, string> Attributes { get; init; } = ImmutableDictionary<string, string>.Empty;
    [Id(8)] public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Whether the product has a text embedding made by the encoder's model now (so search can find it).</summary>
    [Id(9)] public bool HasEmbedding { get; init; }
}

/// <summary>
/// One day's interaction counts for a product. A struct: a product keeps its days in one array and a count changes
/// one in place, rather than a new object every few seconds for every product shoppers touch.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.DailyProductStats")]
public readonly record struct DailyProductStats(
    [property: Id(0)] DateOnly Day,
    [property: Id(1)] int Views,
    [property: Id(2)] int Clicks,
    [property: Id(3)] int AddsToCart,
    [property: Id(4)] int Purchases,
    [property: Id(5)] int Reviews)
{
    public DailyProductStats Add(DailyProductStats other) => this with
    {
        Views = Views + other.Views,
        Clicks = Clicks + other.Clicks,
        AddsToCart = AddsToCart + other.AddsToCart,
        Purchases = Purchases + other.Purchases,
        Reviews = Reviews + other.Reviews,
    };
}

/// <summary>The rules a product must meet; shared by the gateway, the importers and the grain.</summary>
public static class ProductRules
{
    public const int MaxTitleLength = 512;
    public const int MaxDescriptionLength = 20_000;
    public const int MaxCategoryLength = 128;
    public const int MaxAttributes = 64;

    public static void Validate(string? sku, ProductInput p, string path, List<FieldError> errors)
    {
        Events.ShopperEventValidator.RequireId(sku, $"{path}sku", errors);
        Text(p.Title, $"{path}title", MaxTitleLength, required: true, errors);
        Text(p.Category, $"{path}category", MaxCategoryLength, required: true, errors);
        Text(p.Description, $"{path}description", MaxDescriptionLength, required: false, errors);
        Text(p.Brand, $"{path}brand", MaxCategoryLength, required: false, errors);
        if (p.Price < 0)
        {
            errors.Add(new($"{path}price", "must not be negative"));
        }

        if (p.Stock < 0)
        {
            errors.Add(new($"{path}stock", "must not be negative"));
        }

        if (p.Attributes.Count > MaxAttributes)
        {
            errors.Add(new($"{path}attributes", $"at most {MaxAttributes} attributes"));
        }
    }

    /// <summary>Categories are compared without regard to case or surrounding space.</summary>
    public static string CategoryKey(string category) => category.Trim().ToLowerInvariant();

    /// <summary>
    /// Whether upserting <paramref name="input"/> would store <paramref name="stored"/> again as it is (the grain trims
    /// title and category), embedding included: then an importer run a second time may leave it alone.
    /// </summary>
    public static bool IsStoredAs(ProductInput input, Product? stored) =>
        stored is { HasEmbedding: true }
        && stored.Title == input.Title.Trim()
        && stored.Description == input.Description
        && stored.Category == input.Category.Trim()
        && stored.Brand == input.Brand
        && stored.Price == input.Price
        && stored.Stock == input.Stock
        && stored.Attributes.Count == input.Attributes.Count
        && input.Attributes.All(a => stored.Attributes.TryGetValue(a.Key, out var value) && value == a.Value);

    private static void Text(string? value, string field, int max, bool required, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add(new(field, "is required"));
            }
        }
        else if (value.Length > max)
        {
            errors.Add(new(field, $"must be at most {max} characters"));
        }
    }
}
