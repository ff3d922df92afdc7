using System.Numerics.Tensors;

namespace Marketing.Ml.Support;

/// <summary>How a <see cref="SoftmaxRegression"/> is fitted.</summary>
public sealed record SoftmaxTrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>AdaGrad's base step.</summary>
    public float LearningRate { get; init; } = 0.5f;

    /// <summary>L2 penalty on the weights a step touches (per example).</summary>
    public float L2 { get; init; } = 1e-5f;

    /// <summary>Seed of the shuffles, so a training run can be repeated exactly.</summary>
    public int Seed { get; init; } = 17;
}

/// <summary>
/// Multinomial logistic regression over sparse rows, fitted by stochastic gradient descent with AdaGrad steps (each
/// weight's step shrinks with the gradients it has seen, so rare n-grams still learn). Its probabilities are what the
/// out-of-scope threshold reads, which a hinge-loss SVM would not give.
/// </summary>
public sealed class SoftmaxRegression
{
    // Feature-major: the class weights of one feature lie side by side, so a sparse row touches contiguous spans.
    private readonly float[] _weights;
    private readonly float[] _bias;

    private SoftmaxRegression(int features, int classes)
    {
        Features = features;
        Classes = classes;
        _weights = new float[features * classes];
        _bias = new float[classes];
    }

    public int Features { get; }

    public int Classes { get; }

    /// <summary>
    /// Fits the model to <paramref name="rows"/> with class indices <paramref name="labels"/>. Each epoch visits the
    /// rows in an order drawn from <paramref name="orderKeys"/> (one per row, e.g. a hash of its text): two training
    /// sets that differ by a few rows then visit the rows they share in the same relative order, so adding a handful
    /// of corrections changes the model by what they teach rather than by a reshuffle.
    /// </summary>
    public static SoftmaxRegression Fit(
        IReadOnlyList<SparseRow> rows, IReadOnlyList<int> labels, int features, int classes, SoftmaxTrainingOptions? options = null,
        IProgress<int>? epochs = null, IReadOnlyList<uint>? orderKeys = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(labels);
        if (rows.Count != labels.Count || rows.Count == 0)
        {
            throw new ArgumentException("One label per row, and at least one row.", nameof(labels));
        }

        options ??= new SoftmaxTrainingOptions();
        var model = new SoftmaxRegression(features, classes);
        var squares = new float[model._weights.Length];
        var biasSquares = new float[classes];
        var gradient = new float[classes];
        var step = new float[classes];
        var scratch = new float[classes];
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var keys = orderKeys ?? [.. Enumerable.Range(0, rows.Count).Select(i => (uint)i)];
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var salt = Mix(unchecked((uint)options.Seed * 0x9E3779B9u + (uint)epoch));
            order = [.. order.OrderBy(i => Mix(keys[i] ^ salt)).ThenBy(i => i)];
            foreach (var i in order)
            {
                var row = rows[i];
                model.Probabilities(row, gradient);
                gradient[labels[i]] -= 1f;
                Update(model._bias, biasSquares, gradient, scratch, options.LearningRate);
                for (var k = 0; k < row.Indices.Length; k++)
                {
                    var span = row.Indices[k] * classes;
                    var weights = model._weights.AsSpan(span, classes);
                    // The loss's gradient for this feature plus the L2 pull towards zero.
                    TensorPrimitives.Multiply(gradient, row.Values[k], step);
                    TensorPrimitives.MultiplyAdd(weights, options.L2, step, step);
                    Update(weights, squares.AsSpan(span, classes), step, scratch, options.LearningRate);
                }
            }

            epochs?.Report(epoch + 1);
        }

        return model;
    }

    /// <summary>Writes the class probabilities of <paramref name="row"/> into <paramref name="probabilities"/>.</summary>
    public void Probabilities(SparseRow row, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(row);
        _bias.CopyTo(probabilities);
        for (var k = 0; k < row.Indices.Length; k++)
        {
            TensorPrimitives.MultiplyAdd(_weights.AsSpan(row.Indices[k] * Classes, Classes), row.Values[k], probabilities, probabilities);
        }

        TensorPrimitives.SoftMax(probabilities, probabilities);
    }

    public float[] Probabilities(SparseRow row)
    {
        var probabilities = new float[Classes];
        Probabilities(row, probabilities);
        return probabilities;
    }

    /// <summary>A fixed integer mix (the finaliser of MurmurHash3): the same order on every run and machine.</summary>
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >> 16);
    }

    private static void Update(Span<float> weights, Span<float> squares, ReadOnlySpan<float> gradient, Span<float> scratch, float learningRate)
    {
        // AdaGrad: squares += g²; w -= η g / sqrt(squares + ε), vectorised over the classes.
        TensorPrimitives.MultiplyAdd(gradient, gradient, squares, squares);
        TensorPrimitives.Add(squares, 1e-8f, scratch);
        TensorPrimitives.Sqrt(scratch, scratch);
        TensorPrimitives.Divide(gradient, scratch, scratch);
        TensorPrimitives.MultiplyAdd(scratch, -learningRate, weights, weights);
    }
}
