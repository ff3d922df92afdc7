namespace Marketing.Abstractions.Search;

/// <summary>
/// The model that made a stored or sent vector: its name (a label), a short SHA-256 of its ONNX weights, the vector
/// length, the pooling and the tokenizer (vocabulary hash, casing, token limit). Vectors of two models are never
/// compared, even when their lengths agree. Two ids are the same model when all but the name agree, so a model moved
/// to another folder keeps its vectors. The silo's encoder computes its id once at start.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.EmbeddingModelId")]
public sealed record EmbeddingModelId(
    [property: Id(0)] string Name,
    [property: Id(1)] string Weights,
    [property: Id(2)] int Dimensions,
    [property: Id(3)] string Pooling,
    [property: Id(4)] string Tokenizer)
{
    /// <summary>The name of <see cref="Unrecorded"/> ids.</summary>
    public const string UnrecordedName = "unrecorded";

    /// <summary>
    /// Stands for vectors stored before vectors named their model: no current model is it, so they count as another
    /// model's until they are made again.
    /// </summary>
    public static EmbeddingModelId Unrecorded(int dimensions) => new(UnrecordedName, "", dimensions, "", "");

    public bool Equals(EmbeddingModelId? other) =>
        other is not null && Weights == other.Weights && Dimensions == other.Dimensions && Pooling == other.Pooling && Tokenizer == other.Tokenizer;

    public override int GetHashCode() => HashCode.Combine(Weights, Dimensions, Pooling, Tokenizer);

    /// <summary>One token for logs and status, e.g. <c>all-MiniLM-L6-v2@4a64cee3d413/384d/mean/b49e8087-uncased-256</c>.</summary>
    public override string ToString() =>
        Weights.Length == 0 ? $"{Name}/{Dimensions}d" : $"{Name}@{Weights}/{Dimensions}d/{Pooling}/{Tokenizer}";
}

/// <summary>A unit-length vector and the model that made it.</summary>
[GenerateSerializer, Immutable, Alias("mk.Embedding")]
public sealed record Embedding(
    [property: Id(0)] float[] Vector,
    [property: Id(1)] EmbeddingModelId Model);

/// <summary>How many indexed products carry vectors of <see cref="Model"/>.</summary>
[GenerateSerializer, Immutable, Alias("mk.IndexedByModel")]
public sealed record IndexedByModel(
    [property: Id(0)] EmbeddingModelId Model,
    [property: Id(1)] int Products);
