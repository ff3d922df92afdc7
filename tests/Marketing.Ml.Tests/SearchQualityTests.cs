using System.Diagnostics;
using Marketing.Ml.Search;
using Xunit.Abstractions;

namespace Marketing.Ml.Tests;

/// <summary>
/// Semantic search on the real Instacart catalogue: every one of its 49,688 products is embedded, and each aisle's name
/// ("fresh fruits", "frozen pizza"...) is a query whose right answers are that aisle's products.
/// </summary>
[Collection(EncoderCollection.Name)]
public sealed class SearchQualityTests(EncoderFixture fixture, ITestOutputHelper output)
{
    // Catch-all aisles whose names say nothing about their products.
    private static readonly HashSet<string> Unsearchable = ["missing", "other"];

    [Fact]
    public async Task Embedding_search_finds_an_aisles_products_from_its_name_better_than_keyword_search()
    {
        var catalogue = InstacartCatalogue.Instance;
        var products = catalogue.Products;

        var clock = Stopwatch.StartNew();
        var vectors = await fixture.Encoder.EncodeBatchAsync([.. products.Select(p => p.Name)]);
        var embedding = clock.Elapsed;

        using var index = new ProductVectorIndex(fixture.Encoder.Dimensions);
        for (var i = 0; i < products.Count; i++)
        {
            index.Upsert(products[i].Id.ToString(), vectors[i], catalogue.Aisles[products[i].AisleId], inStock: true);
        }

        var keywords = new BagOfWordsSearcher(products.Select(p => (p.Id.ToString(), p.Name)));
        var aisleOf = products.ToDictionary(p => p.Id.ToString(), p => p.AisleId);
        var rows = new List<(string Aisle, double Embedding, double Keywords)>();
        foreach (var (aisleId, aisle) in catalogue.Aisles.Where(a => !Unsearchable.Contains(a.Value)).OrderBy(a => a.Value))
        {
            var query = await fixture.Encoder.EncodeAsync(aisle);
            rows.Add((aisle, PrecisionAt10(index.Search(query, 10)), PrecisionAt10(keywords.Search(aisle, 10))));

            double PrecisionAt10(IReadOnlyList<ProductMatch> found) => found.Count(m => aisleOf[m.Sku] == aisleId) / 10.0;
        }

        var meanEmbedding = rows.Average(r => r.Embedding);
        var meanKeywords = rows.Average(r => r.Keywords);
        output.WriteLine($"Embedded {products.Count:N0} products in {embedding.TotalSeconds:F1} s ({products.Count / embedding.TotalSeconds:F0}/s) on {Environment.ProcessorCount} cores, provider {fixture.Encoder.Provider}");
        output.WriteLine($"| queries (aisle names) | precision@10 embedding | precision@10 TF-IDF |");
        output.WriteLine($"|---|---|---|");
        output.WriteLine($"| {rows.Count} | {meanEmbedding:F3} | {meanKeywords:F3} |");
        foreach (var row in rows.Where((_, i) => i % 12 == 0))
        {
            output.WriteLine($"  {row.Aisle,-32} embedding {row.Embedding:F1}  TF-IDF {row.Keywords:F1}");
        }

        Assert.True(meanEmbedding > meanKeywords, $"embedding {meanEmbedding:F3} vs TF-IDF {meanKeywords:F3}");
    }
}
