using System.Security.Cryptography;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// Names the model behind an encoder's vectors, so that vectors of two models are never compared: a cosine between
/// them means nothing, even when their lengths agree. Built from what changes the vectors: the weights (a hash of the
/// ONNX file's bytes, which also covers the graph and so a pooled output), the length, the pooling, and the input side
/// (a hash of the vocabulary, lower-casing, the token limit). <see cref="Name"/> is only a label for people: two ids
/// are the same model when everything else agrees, so moving a model to another folder does not make its vectors old.
/// </summary>
/// <remarks>
/// The arithmetic the encoder runs in (<see cref="EncoderPrecision"/>) and the execution provider are left out on
/// purpose: Int8 vectors lie within a cosine of 0.999 of the Float32 ones, which ranks the same neighbours, and counting
/// them as another model would make a GPU silo (always Float32) and a CPU silo (Int8 by default) call each other's
/// vectors stale, and a tuning switch re-embed the whole catalogue.
/// </remarks>
public sealed record TextModelId(string Name, string Weights, int Dimensions, string Pooling, string Tokenizer)
{
    /// <summary>The mean of the token states (sentence-transformers' default, all-MiniLM-L6-v2's pooling).</summary>
    public const string MeanPooling = "mean";

    /// <summary>The state of the first token, [CLS] (snowflake-arctic-embed's pooling).</summary>
    public const string ClsPooling = "cls";

    /// <summary>The model's own pooled output (a rank-2 output), taken as it is.</summary>
    public const string ModelPooling = "model";

    /// <summary>Hex digits of SHA-256 kept for the weights: 48 bits, ample to tell a handful of models apart.</summary>
    public const int WeightsHashLength = 12;

    /// <summary>Hex digits of SHA-256 kept for the vocabulary.</summary>
    public const int VocabularyHashLength = 8;

    public bool Equals(TextModelId? other) =>
        other is not null && Weights == other.Weights && Dimensions == other.Dimensions && Pooling == other.Pooling && Tokenizer == other.Tokenizer;

    public override int GetHashCode() => HashCode.Combine(Weights, Dimensions, Pooling, Tokenizer);

    /// <summary>One token for logs and status pages, e.g. <c>all-MiniLM-L6-v2@4a64cee3d413/384d/mean/b49e8087-uncased-256</c>.</summary>
    public override string ToString() => $"{Name}@{Weights}/{Dimensions}d/{Pooling}/{Tokenizer}";

    /// <summary>
    /// The id of the model in <paramref name="weights"/> (the ONNX file's bytes, read to the end once) with the
    /// vocabulary <paramref name="vocabulary"/> and the given input settings and output shape.
    /// </summary>
    public static TextModelId Of(string name, Stream weights, Stream vocabulary, bool lowerCase, int maxTokens, int dimensions, string pooling)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var weightsHash = Hex(SHA256.HashData(weights), WeightsHashLength);
        var vocabularyHash = Hex(SHA256.HashData(vocabulary), VocabularyHashLength);
        return new TextModelId(name, weightsHash, dimensions, pooling, $"{vocabularyHash}-{(lowerCase ? "uncased" : "cased")}-{maxTokens}");
    }

    /// <summary>The id of the model in the files at <paramref name="modelPath"/> and <paramref name="vocabPath"/>.</summary>
    public static TextModelId OfFiles(string modelPath, string vocabPath, bool lowerCase, int maxTokens, int dimensions, string pooling)
    {
        // Large sequential reads: the hash, not the file system, should set the pace (it is read once, at start).
        using var weights = new FileStream(modelPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var vocabulary = File.OpenRead(vocabPath);
        return Of(NameOf(modelPath), weights, vocabulary, lowerCase, maxTokens, dimensions, pooling);
    }

    /// <summary>A model's label: its folder's name (models come as a folder with model.onnx and vocab.txt), else its file's.</summary>
    public static string NameOf(string modelPath)
    {
        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(modelPath)));
        return string.IsNullOrEmpty(folder) ? Path.GetFileNameWithoutExtension(modelPath) : folder;
    }

    private static string Hex(byte[] hash, int digits) => Convert.ToHexStringLower(hash)[..digits];
}
