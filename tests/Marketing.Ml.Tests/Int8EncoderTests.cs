using Google.Protobuf;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Xunit.Abstractions;

namespace Marketing.Ml.Tests;

/// <summary>The default CPU encoder runs its weight matrices in 8-bit blocks (<see cref="EncoderPrecision.Int8"/>).</summary>
[Collection(EncoderCollection.Name)]
public sealed class Int8EncoderTests(EncoderFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Int8_vectors_stay_within_a_cosine_of_0_999_of_the_float_models_on_real_product_titles()
    {
        Assert.Equal(EncoderPrecision.Int8, fixture.Encoder.Precision);
        var titles = InstacartCatalogue.Instance.Products.Where((_, i) => i % 25 == 3).Select(p => p.Name).ToArray();
        using var float32 = new OnnxTextEncoder(Options.Create(new EncoderOptions
        {
            ExecutionProvider = ExecutionProviderPreference.Cpu,
            Precision = EncoderPrecision.Float32,
        }));
        Assert.Equal(EncoderPrecision.Float32, float32.Precision);

        var expected = await float32.EncodeBatchAsync(titles);
        var actual = await fixture.Encoder.EncodeBatchAsync(titles);

        var cosines = titles.Select((_, i) => VectorAssert.Cosine(expected[i], actual[i])).ToArray();
        var worst = Array.IndexOf(cosines, cosines.Min());
        output.WriteLine($"{titles.Length} titles: mean cosine {cosines.Average():F6}, worst {cosines[worst]:F6} for \"{titles[worst]}\"");
        Assert.True(titles.Length > 1_900);
        Assert.All(cosines, c => Assert.True(c >= 0.999f, $"cosine {c}"));

        // Quantized, but not the same as the float model: otherwise this test would compare a model with itself.
        Assert.Contains(cosines, c => c < 0.99999f);
    }

    [Fact]
    public async Task A_texts_int8_vector_does_not_depend_on_what_it_is_batched_with()
    {
        var titles = InstacartCatalogue.Instance.Products.Where((_, i) => i % 997 == 5).Select(p => p.Name).Take(40).ToArray();

        var batched = await fixture.Encoder.EncodeBatchAsync(titles);
        for (var i = 0; i < titles.Length; i++)
        {
            var alone = await fixture.Encoder.EncodeAsync(titles[i]);
            var difference = System.Numerics.Tensors.TensorPrimitives.Distance(alone, batched[i]);
            Assert.True(difference < 1e-4f, $"\"{titles[i]}\" moved by {difference} when batched");
        }
    }

    [Fact]
    public void Quantized_columns_come_back_within_half_a_step_and_pad_the_last_block_with_zero()
    {
        const int rows = 20; // one full block of 16 and a partial one
        const int columns = 3;
        var random = new Random(7);
        var matrix = Enumerable.Range(0, rows * columns).Select(_ => (float)(random.NextDouble() - 0.5) * 4).ToArray();
        matrix[5 * columns] = 0; // an exact zero stays zero

        var (blocks, scales) = Int8Weights.QuantizeColumns(matrix, rows, columns);

        Assert.Equal(columns * 2 * Int8Weights.BlockSize, blocks.Length);
        Assert.Equal(columns * 2, scales.Length);
        for (var column = 0; column < columns; column++)
        {
            for (var row = 0; row < rows; row++)
            {
                var slot = (column * 2) + (row / Int8Weights.BlockSize);
                var back = (blocks[(slot * Int8Weights.BlockSize) + (row % Int8Weights.BlockSize)] - 128) * scales[slot];
                Assert.True(Math.Abs(back - matrix[(row * columns) + column]) <= (scales[slot] / 2) + 1e-6f, $"row {row}, column {column}");
            }

            // Rows 20..31 of the second block do not exist: they hold the zero point.
            var padding = blocks.AsSpan(((column * 2) + 1) * Int8Weights.BlockSize + (rows - Int8Weights.BlockSize), (2 * Int8Weights.BlockSize) - rows);
            Assert.All(padding.ToArray(), b => Assert.Equal(128, b));
        }

        Assert.Equal(128, blocks[(0 * 2 * Int8Weights.BlockSize) + 5]);
    }

    [Fact]
    public void A_rewritten_matmul_runs_in_onnx_runtime_and_gives_the_float_product()
    {
        const int k = 48;
        const int n = 5;
        var random = new Random(11);
        var weights = Enumerable.Range(0, k * n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var input = Enumerable.Range(0, 2 * k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var model = MatMulModel(weights, k, n, constantWeights: true);

        var rewritten = Int8Weights.Quantize(model);

        Assert.Equal(1, rewritten.MatricesQuantized);
        var graph = ModelProto.Parser.ParseFrom(rewritten.Model).Graph;
        Assert.Equal("MatMulNBits", Assert.Single(graph.Node).OpType);
        Assert.DoesNotContain(graph.Initializer, t => t.Name == "w");
        using var session = new InferenceSession(rewritten.Model);
        using var x = OrtValue.CreateTensorValueFromMemory(input, [2, k]);
        using var result = session.Run(new RunOptions(), ["x"], [x], ["y"]);
        var y = result[0].GetTensorDataAsSpan<float>();
        for (var row = 0; row < 2; row++)
        {
            for (var column = 0; column < n; column++)
            {
                var exact = 0f;
                for (var i = 0; i < k; i++)
                {
                    exact += input[(row * k) + i] * weights[(i * n) + column];
                }

                Assert.True(Math.Abs(y[(row * n) + column] - exact) < 0.02f, $"y[{row},{column}] = {y[(row * n) + column]}, exactly {exact}");
            }
        }
    }

    [Fact]
    public void A_model_with_no_weight_matrix_is_left_as_it_is()
    {
        var model = MatMulModel(new float[16 * 4], 16, 4, constantWeights: false);

        var rewritten = Int8Weights.Quantize(model);

        Assert.Equal(0, rewritten.MatricesQuantized);
        Assert.Same(model, rewritten.Model);
    }

    /// <summary>y = x · w for x of [2, k]; w an initializer, or a second graph input when <paramref name="constantWeights"/> is false.</summary>
    private static byte[] MatMulModel(float[] weights, int k, int n, bool constantWeights)
    {
        var graph = new GraphProto { Name = "matmul" };
        graph.Input.Add(FloatInput("x", 2, k));
        if (constantWeights)
        {
            var w = new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float };
            w.Dims.AddRange([k, n]);
            w.FloatData.AddRange(weights);
            graph.Initializer.Add(w);
        }
        else
        {
            graph.Input.Add(FloatInput("w", k, n));
        }

        var node = new NodeProto { OpType = "MatMul", Name = "product" };
        node.Input.AddRange(["x", "w"]);
        node.Output.Add("y");
        graph.Node.Add(node);
        graph.Output.Add(FloatInput("y", 2, n));
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static ValueInfoProto FloatInput(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
