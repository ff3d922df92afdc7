using Marketing.Abstractions.Search;

namespace Marketing.Grains.Search;

/// <summary>
/// A shard's stored snapshot, in columns, one <see cref="ProductIndexPart"/> per model that made the vectors. Filled
/// just before a write and emptied after it, so the vectors live in memory once, in the index. Fields 0-4 hold a
/// snapshot written before vectors named their model: it still loads, as vectors of an unrecorded model.
/// </summary>
[GenerateSerializer, Alias("mk.ProductIndexState")]
public sealed class ProductIndexState
{
    [Id(0)] public int Dimensions { get; set; }
    [Id(1)] public string[] Skus { get; set; } = [];
    [Id(2)] public string[] Categories { get; set; } = [];
    [Id(3)] public bool[] InStock { get; set; } = [];
    [Id(4)] public byte[] Vectors { get; set; } = [];
    [Id(5)] public ProductIndexPart[] Parts { get; set; } = [];

    /// <summary>The products' texts for lexical search; null in a snapshot written before search had a lexical half.</summary>
    [Id(6)] public ProductTextPart? Texts { get; set; }
}

/// <summary>A shard's product texts in columns (<see cref="ShardTexts"/>), whatever model made the vectors.</summary>
[GenerateSerializer, Alias("mk.ProductTextPart")]
public sealed class ProductTextPart
{
    [Id(0)] public string[] Skus { get; set; } = [];
    [Id(1)] public string[] Texts { get; set; } = [];
    [Id(2)] public string[] Categories { get; set; } = [];
    [Id(3)] public bool[] InStock { get; set; } = [];
}

/// <summary>
/// The products of one model in a shard's snapshot: the vectors as raw little-endian floats, which Orleans' serializer
/// writes as one block (a float array would cost a header per element), <see cref="EmbeddingModelId.Dimensions"/> to a row.
/// </summary>
[GenerateSerializer, Alias("mk.ProductIndexPart")]
public sealed class ProductIndexPart
{
    [Id(0)] public EmbeddingModelId Model { get; set; } = EmbeddingModelId.Unrecorded(0);
    [Id(1)] public string[] Skus { get; set; } = [];
    [Id(2)] public string[] Categories { get; set; } = [];
    [Id(3)] public bool[] InStock { get; set; } = [];
    [Id(4)] public byte[] Vectors { get; set; } = [];
}

/// <summary>
/// Kept beside a shard's snapshot (a few bytes, so setting it does not rewrite megabytes): set before the first change
/// after a snapshot is applied, cleared once a snapshot holds every change. A shard that activates with it set lost
/// changes in a crash, and rebuilds itself from the products.
/// </summary>
[GenerateSerializer, Alias("mk.ProductIndexMark")]
public sealed class ProductIndexMark
{
    [Id(0)] public bool SnapshotBehind { get; set; }
}
