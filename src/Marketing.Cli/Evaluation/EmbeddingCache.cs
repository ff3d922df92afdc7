using System.Security.Cryptography;
using System.Text;
using Marketing.Ml.Embeddings;

namespace Marketing.Cli.Evaluation;

/// <summary>
/// Embeds texts once per model: vectors are kept under the repository's ignored <c>.data/embeddings/</c>, in a
/// folder per model id and a file per set of texts (a hash of them), so a second evaluation on the same data skips
/// minutes of encoding on a small machine. A cached file is used only for the same model and the same texts.
/// </summary>
public sealed class EmbeddingCache(ITextEncoder encoder, string? folder)
{
    private const int Chunk = 256;

    public static string? DefaultFolder()
    {
        var root = Import.DataPaths.FindRepositoryRoot(Environment.CurrentDirectory);
        return root is null ? null : Path.Combine(root, ".data", "embeddings");
    }

    /// <summary>The texts' vectors, from the cache or the encoder; <paramref name="done"/> hears how many are ready.</summary>
    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, IProgress<int>? done, CancellationToken cancellationToken)
    {
        var path = folder is null ? null : Path.Combine(folder, Safe(encoder.Model.ToString()), Hash(texts) + ".f32");
        if (path is not null && Read(path, texts.Count, encoder.Dimensions) is { } cached)
        {
            done?.Report(texts.Count);
            return cached;
        }

        var vectors = new float[texts.Count][];
        // Shortest first, so each chunk pads little; the encoder sorts within a chunk too.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => texts[i].Length).ToArray();
        for (var start = 0; start < order.Length; start += Chunk)
        {
            var indices = order[start..Math.Min(order.Length, start + Chunk)];
            var chunk = await encoder.EncodeBatchAsync([.. indices.Select(i => texts[i])], cancellationToken);
            for (var k = 0; k < indices.Length; k++)
            {
                vectors[indices[k]] = chunk[k];
            }

            done?.Report(start + indices.Length);
        }

        if (path is not null)
        {
            Write(path, vectors);
        }

        return vectors;
    }

    private static float[][]? Read(string path, int count, int dimensions)
    {
        if (!File.Exists(path) || new FileInfo(path).Length != (long)count * dimensions * sizeof(float))
        {
            return null;
        }

        using var stream = File.OpenRead(path);
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = new float[dimensions];
            stream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vectors[i].AsSpan()));
        }

        return vectors;
    }

    private static void Write(string path, float[][] vectors)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            foreach (var vector in vectors)
            {
                stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static string Hash(IReadOnlyList<string> texts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var text in texts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text));
            hash.AppendData([0]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string Safe(string modelId) =>
        string.Concat(modelId.Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' or '@' ? c : '_'));
}
