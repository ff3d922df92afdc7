using System.ComponentModel;
using Marketing.Abstractions.Search;
using Microsoft.SemanticKernel;

namespace Marketing.Grains.Conversations.Plugins;

public sealed record ProductOffer(string Sku, string Title, string Category, decimal Price, bool InStock);

/// <summary>The catalogue's semantic search, for product questions.</summary>
public sealed class CataloguePlugin(IGrainFactory grains)
{
    public const string Name = "catalogue";

    [KernelFunction("search_products")]
    [Description("Finds products in the shop's catalogue that match a description, best first, with their prices.")]
    public async Task<IReadOnlyList<ProductOffer>> SearchProductsAsync(
        [Description("What the shopper is looking for, in their words")] string query,
        [Description("Highest price the shopper will pay, if they said one")] decimal? maxPrice = null,
        [Description("How many products to return (1-10)")] int count = 5)
    {
        count = Math.Clamp(count, 1, 10);
        var results = await grains.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest(query, 50, null, false));
        return [.. results.Hits
            .Where(h => maxPrice is null || h.Price <= maxPrice)
            .Take(count)
            .Select(h => new ProductOffer(h.Sku, h.Title, h.Category, h.Price, h.Stock > 0))];
    }
}
