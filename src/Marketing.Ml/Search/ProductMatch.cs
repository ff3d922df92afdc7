namespace Marketing.Ml.Search;

/// <summary>
/// A product found by a search, with its similarity to the query (higher is closer) and, where the index knows it,
/// its category key (hybrid search re-ranks by category consensus).
/// </summary>
public readonly record struct ProductMatch(string Sku, float Score, string? Category = null);

/// <summary>Which products a search may return: one category only, in stock only, or both.</summary>
public readonly record struct ProductFilter(string? Category = null, bool InStockOnly = false)
{
    public static ProductFilter None => default;
}
