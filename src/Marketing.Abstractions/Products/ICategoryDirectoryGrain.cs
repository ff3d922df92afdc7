using System.Collections.Immutable;

namespace Marketing.Abstractions.Products;

/// <summary>
/// The SKUs in one category, keyed by <see cref="ProductRules.CategoryKey"/>. Orleans cannot query grains, so
/// listing a category reads this directory, which product grains keep up to date.
/// </summary>
[Alias("mk.ICategoryDirectoryGrain")]
public interface ICategoryDirectoryGrain : IGrainWithStringKey
{
    [Alias("Add")]
    Task Add(string sku);

    [Alias("Remove")]
    Task Remove(string sku);

    /// <summary>A page of SKUs in stable (ordinal) order, and the total count.</summary>
    [Alias("List")]
    Task<SkuPage> List(int offset, int limit);
}

/// <summary>The categories that hold at least one product, with their counts. One per cluster (key "all").</summary>
[Alias("mk.ICatalogueGrain")]
public interface ICatalogueGrain : IGrainWithStringKey
{
    [Alias("SetCount")]
    Task SetCount(string category, int count);

    [Alias("Categories")]
    Task<ImmutableArray<CategoryCount>> Categories();
}

[GenerateSerializer, Immutable, Alias("mk.SkuPage")]
public sealed record SkuPage(
    [property: Id(0)] ImmutableArray<string> Skus,
    [property: Id(1)] int Total);

[GenerateSerializer, Immutable, Alias("mk.CategoryCount")]
public sealed record CategoryCount(
    [property: Id(0)] string Category,
    [property: Id(1)] int Products);

public static class CatalogueKeys
{
    /// <summary>The key of the one <see cref="ICatalogueGrain"/> per cluster.</summary>
    public const string All = "all";
}
