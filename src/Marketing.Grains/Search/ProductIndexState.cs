namespace Marketing.Grains.Search;

/// <summary>
/// A shard's stored snapshot, in columns: the vectors as raw little-endian floats, which Orleans' serializer writes
/// as one block (a float array would cost a header per element). Filled just before a write and emptied after it,
/// so the vectors live in memory once, in the index.
/// </summary>
[GenerateSerializer, Alias("mk.ProductIndexState")]
public sealed class ProductIndexState
{
    [Id(0)] public int Dimensions { get; set; }
    [Id(1)] public string[] Skus { get; set; } = [];
    [Id(2)] public string[] Categories { get; set; } = [];
    [Id(3)] public bool[] InStock { get; set; } = [];
    [Id(4)] public byte[] Vectors { get; set; } = [];
}
