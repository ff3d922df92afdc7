namespace Marketing.Ml.Search;

/// <summary>A product found by a search, with its similarity to the query (higher is closer).</summary>
public readonly record struct ProductMatch(string Sku, float Score);

/// <summary>Which products a search may return: one category only, in stock only, or both.</summary>
public readonly record struct ProductFilter(string? Category = null, bool InStockOnly = false)
{
    public static ProductFilter None => default;
}
