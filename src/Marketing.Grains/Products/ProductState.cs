using Marketing.Abstractions.Products;

namespace Marketing.Grains.Products;

[GenerateSerializer, Alias("mk.ProductState")]
public sealed class ProductState
{
    [Id(0)] public Product? Product { get; set; }

    /// <summary>The product text's embedding; cleared when the text changes so it is computed again.</summary>
    [Id(1)] public float[]? TextEmbedding { get; set; }

    /// <summary>Interaction counts per day, oldest first, at most <see cref="ProductGrain.StatsDays"/> days.</summary>
    [Id(2)] public List<DailyProductStats> Daily { get; set; } = [];
}
