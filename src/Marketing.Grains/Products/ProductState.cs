using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;

namespace Marketing.Grains.Products;

/// <summary>The catalogue record and its text embedding, written through.</summary>
[GenerateSerializer, Alias("mk.ProductState")]
public sealed class ProductState
{
    [Id(0)] public Product? Product { get; set; }

    /// <summary>The product text's embedding; cleared when the text changes so it is computed again.</summary>
    [Id(1)] public float[]? TextEmbedding { get; set; }

    /// <summary>
    /// Daily counters as stored with the record before they had a state of their own (<see cref="ProductCounters"/>):
    /// read once to move them there, then dropped with the record's next write.
    /// </summary>
    [Id(2)] public List<DailyProductStats>? Daily { get; set; }

    /// <summary>The model that made <see cref="TextEmbedding"/>; null when it was stored before vectors named their model.</summary>
    [Id(3)] public EmbeddingModelId? TextEmbeddingModel { get; set; }
}
