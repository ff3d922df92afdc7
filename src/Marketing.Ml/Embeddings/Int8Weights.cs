using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// Rewrites an ONNX model so that every <c>MatMul</c> by a constant weight matrix runs on 8-bit integers: the weights
/// are stored as int8 in blocks of <see cref="BlockSize"/> along the input dimension, each block with its own scale,
/// and ONNX Runtime's <c>MatMulNBits</c> (domain <c>com.microsoft</c>, accuracy level 4) quantizes each row of the
/// activations in blocks of the same size as it runs. Because every row is quantized on its own, a text's vector does
/// not depend on what it is batched with, and the small blocks keep all-MiniLM-L6-v2's vectors within a cosine of
/// 0.999 of the float model's (see <c>Int8EncoderTests</c>). Everything else in the graph is left as it was.
/// </summary>
internal static class Int8Weights
{
    /// <summary>Values per quantization block along the input dimension (MatMulNBits takes powers of two from 16).</summary>
    public const int BlockSize = 16;

    private const string MicrosoftDomain = "com.microsoft";

    /// <summary>The rewritten model and how many weight matrices were turned into 8-bit blocks.</summary>
    public sealed record Result(byte[] Model, int MatricesQuantized);

    public static Result Quantize(byte[] model)
    {
        var parsed = ModelProto.Parser.ParseFrom(model);
        var graph = parsed.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var uses = graph.Node.SelectMany(n => n.Input).GroupBy(name => name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var quantized = new Dictionary<string, (TensorProto Blocks, TensorProto Scales)>(StringComparer.Ordinal);
        var count = 0;
        foreach (var node in graph.Node)
        {
            if (node.OpType != "MatMul" || node.Domain.Length != 0 || node.Input.Count != 2
                || !initializers.TryGetValue(node.Input[1], out var weights) || !IsWeightMatrix(weights))
            {
                continue;
            }

            if (!quantized.TryGetValue(weights.Name, out var q))
            {
                var (blocks, scales) = QuantizeColumns(Values(weights), (int)weights.Dims[0], (int)weights.Dims[1]);
                q = (Tensor(weights.Name + "_int8", TensorProto.Types.DataType.Uint8, blocks, weights.Dims[1], blocks.Length / weights.Dims[1] / BlockSize, BlockSize),
                     Tensor(weights.Name + "_scales", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scales.AsSpan()).ToArray(), scales.Length));
                quantized[weights.Name] = q;
                graph.Initializer.Add(q.Blocks);
                graph.Initializer.Add(q.Scales);
            }

            var activations = node.Input[0];
            node.Input.Clear();
            node.Input.Add(activations);
            node.Input.Add(q.Blocks.Name);
            node.Input.Add(q.Scales.Name);
            node.OpType = "MatMulNBits";
            node.Domain = MicrosoftDomain;
            node.Attribute.Add(Int("K", weights.Dims[0]));
            node.Attribute.Add(Int("N", weights.Dims[1]));
            node.Attribute.Add(Int("bits", 8));
            node.Attribute.Add(Int("block_size", BlockSize));
            node.Attribute.Add(Int("accuracy_level", 4));
            uses[weights.Name]--;
            count++;
        }

        // A float matrix some other node still reads stays; the rest would only take memory.
        foreach (var name in quantized.Keys.Where(name => uses[name] == 0))
        {
            graph.Initializer.Remove(initializers[name]);
        }

        if (count > 0 && !parsed.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            parsed.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }

        return new Result(count == 0 ? model : parsed.ToByteArray(), count);
    }

    /// <summary>
    /// Column n of a K × N matrix becomes ceil(K / BlockSize) blocks of BlockSize bytes (q + 128, zero-padded past K)
    /// and one scale per block, max |w| / 127, so that w ≈ (q − 128) × scale: the layout MatMulNBits reads.
    /// </summary>
    internal static (byte[] Blocks, float[] Scales) QuantizeColumns(ReadOnlySpan<float> matrix, int k, int n)
    {
        var blocksPerColumn = (k + BlockSize - 1) / BlockSize;
        var blocks = new byte[n * blocksPerColumn * BlockSize];
        var scales = new float[n * blocksPerColumn];
        blocks.AsSpan().Fill(128);
        for (var column = 0; column < n; column++)
        {
            for (var block = 0; block < blocksPerColumn; block++)
            {
                var first = block * BlockSize;
                var last = Math.Min(k, first + BlockSize);
                var largest = 0f;
                for (var row = first; row < last; row++)
                {
                    largest = Math.Max(largest, Math.Abs(matrix[(row * n) + column]));
                }

                var scale = largest == 0 ? 1f : largest / 127f;
                var slot = (column * blocksPerColumn) + block;
                scales[slot] = scale;
                for (var row = first; row < last; row++)
                {
                    var value = (int)MathF.Round(matrix[(row * n) + column] / scale);
                    blocks[(slot * BlockSize) + row - first] = (byte)(Math.Clamp(value, -127, 127) + 128);
                }
            }
        }

        return (blocks, scales);
    }

    /// <summary>A 2-D float initializer stored in the model itself, with a block's worth of rows at least.</summary>
    private static bool IsWeightMatrix(TensorProto tensor) =>
        tensor.DataType == (int)TensorProto.Types.DataType.Float && tensor.Dims.Count == 2
        && tensor.DataLocation != TensorProto.Types.DataLocation.External && tensor.Dims[0] >= BlockSize
        && (tensor.RawData.Length > 0 ? tensor.RawData.Length / sizeof(float) : tensor.FloatData.Count) == tensor.Dims[0] * tensor.Dims[1];

    /// <summary>The matrix's values, read in place when the model stores them as raw little-endian bytes.</summary>
    private static ReadOnlySpan<float> Values(TensorProto tensor) =>
        tensor.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span) : tensor.FloatData.ToArray();

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, byte[] raw, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
