using System.Numerics.Tensors;

namespace Marketing.Ml.Support;

/// <summary>How a <see cref="TextClassifier"/> is built: which views of a text, how they weigh, how each is fitted.</summary>
public sealed record TextClassifierOptions
{
    /// <summary>Weight of the embedding model's log-probabilities in the blend; 0 leaves it out.</summary>
    public float EmbeddingWeight { get; init; } = 1f;

    /// <summary>Weight of the n-gram model's log-probabilities in the blend; 0 leaves it out.</summary>
    public float NgramWeight { get; init; } = 1f;

    /// <summary>Scale of the character n-gram block against the word block inside the n-gram model.</summary>
    public float CharWeight { get; init; } = 1f;

    /// <summary>N-grams seen in fewer training texts than this are dropped.</summary>
    public int MinDocuments { get; init; } = 1;

    /// <summary>
    /// Regressions per view, each visiting the examples in its own order (seed), their probabilities averaged: SGD's
    /// order noise (about ±0.15 points on BANKING77) averages out. Trained in parallel.
    /// </summary>
    public int Seeds { get; init; } = 1;

    public SoftmaxTrainingOptions Training { get; init; } = new();
}

/// <summary>
/// A text classifier over two views of a text: its sentence embedding (what it means) and its word and character
/// n-grams (the words it uses). Each view has its own multinomial logistic regression, and their log-probabilities
/// are blended: trained jointly, the n-grams fit the training set first and starve the embedding of gradient (measured
/// worse than the embedding alone, docs/performance.md). Pure: the caller embeds the texts, so the same model serves
/// a silo's encoder and an evaluation's cached vectors.
/// </summary>
public sealed class TextClassifier
{
    private readonly LexicalFeatures? _lexical;
    private readonly SoftmaxRegression[] _embeddingModels;
    private readonly SoftmaxRegression[] _lexicalModels;
    private readonly float _embeddingShare;
    private readonly int _dimensions;

    // Every embedding row uses all the dimensions: one index array shared by all of them.
    private readonly int[] _allDimensions;

    private TextClassifier(IReadOnlyList<string> labels, int dimensions, SoftmaxRegression[] embeddingModels, LexicalFeatures? lexical, SoftmaxRegression[] lexicalModels, float embeddingShare)
    {
        Labels = labels;
        _dimensions = dimensions;
        _allDimensions = [.. Enumerable.Range(0, dimensions)];
        _embeddingModels = embeddingModels;
        _lexical = lexical;
        _lexicalModels = lexicalModels;
        _embeddingShare = embeddingShare;
    }

    /// <summary>The classes, in the order of <see cref="Probabilities"/>.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Fits a classifier to <paramref name="examples"/>, whose embeddings are <paramref name="embeddings"/> (same order).</summary>
    public static TextClassifier Train(IReadOnlyList<LabelledText> examples, IReadOnlyList<float[]> embeddings, TextClassifierOptions? options = null, IProgress<int>? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(embeddings);
        if (examples.Count == 0 || examples.Count != embeddings.Count)
        {
            throw new ArgumentException("One embedding per example, and at least one example.", nameof(embeddings));
        }

        options ??= new TextClassifierOptions();
        if (options.EmbeddingWeight <= 0f && options.NgramWeight <= 0f)
        {
            throw new ArgumentException("At least one of the embedding and n-gram weights must be above 0.", nameof(options));
        }

        var labels = examples.Select(e => e.Label).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var classOf = labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);
        int[] targets = [.. examples.Select(e => classOf[e.Label])];
        uint[] orderKeys = [.. examples.Select(e => OrderKey(e.Text))];
        var dimensions = embeddings[0].Length;
        var seeds = Math.Max(1, options.Seeds);
        var embeddingModels = new SoftmaxRegression[options.EmbeddingWeight > 0f ? seeds : 0];
        var lexicalModels = new SoftmaxRegression[options.NgramWeight > 0f ? seeds : 0];
        int[] allDimensions = [.. Enumerable.Range(0, dimensions)];
        var embeddingRows = embeddingModels.Length == 0 ? [] : embeddings.Select(e => EmbeddingRow(e, allDimensions)).ToList();
        var lexical = lexicalModels.Length == 0 ? null : LexicalFeatures.Fit([.. examples.Select(e => e.Text)], options.MinDocuments, options.CharWeight);
        var lexicalRows = lexical is null ? [] : examples.Select(e => LexicalRow(lexical, e.Text)).ToList();

        // Every (view, seed) fit is independent: run them side by side; the first one reports the epochs.
        var fits = embeddingModels.Length + lexicalModels.Length;
        Parallel.For(0, fits, f =>
        {
            var embeddingView = f < embeddingModels.Length;
            var seed = embeddingView ? f : f - embeddingModels.Length;
            var training = options.Training with { Seed = options.Training.Seed + seed };
            var progress = f == 0 ? epochs : null;
            if (embeddingView)
            {
                embeddingModels[seed] = SoftmaxRegression.Fit(embeddingRows, targets, dimensions, labels.Count, training, progress, orderKeys);
            }
            else
            {
                lexicalModels[seed] = SoftmaxRegression.Fit(lexicalRows, targets, lexical!.Count, labels.Count, training, progress, orderKeys);
            }
        });

        var share = options.EmbeddingWeight / (options.EmbeddingWeight + options.NgramWeight);
        return new TextClassifier(labels, dimensions, embeddingModels, lexical, lexicalModels, share);
    }

    /// <summary>The probability of each of <see cref="Labels"/> for a text and its embedding.</summary>
    public float[] Probabilities(string text, float[] embedding)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        if (embedding.Length != _dimensions)
        {
            throw new ArgumentException($"Expected a {_dimensions}-dimensional embedding, got {embedding.Length}.", nameof(embedding));
        }

        if (_lexicalModels.Length == 0)
        {
            return Mean(_embeddingModels, EmbeddingRow(embedding, _allDimensions));
        }

        var lexical = Mean(_lexicalModels, LexicalRow(_lexical!, text));
        if (_embeddingModels.Length == 0)
        {
            return lexical;
        }

        // A weighted geometric mean of the two views' probabilities, renormalised.
        var semantic = Mean(_embeddingModels, EmbeddingRow(embedding, _allDimensions));
        var blend = new float[semantic.Length];
        TensorPrimitives.Log(semantic, semantic);
        TensorPrimitives.Log(lexical, lexical);
        TensorPrimitives.Multiply(semantic, _embeddingShare, blend);
        TensorPrimitives.MultiplyAdd(lexical, 1f - _embeddingShare, blend, blend);
        TensorPrimitives.SoftMax(blend, blend);
        return blend;
    }

    /// <summary>The most probable label and its probability.</summary>
    public (string Label, float Confidence) Predict(string text, float[] embedding)
    {
        var probabilities = Probabilities(text, embedding);
        var best = TensorPrimitives.IndexOfMax(probabilities);
        return (Labels[best], probabilities[best]);
    }

    /// <summary>FNV-1a over the text: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    private static uint OrderKey(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static float[] Mean(SoftmaxRegression[] models, SparseRow row)
    {
        var sum = models[0].Probabilities(row);
        if (models.Length > 1)
        {
            var one = new float[sum.Length];
            for (var m = 1; m < models.Length; m++)
            {
                models[m].Probabilities(row, one);
                TensorPrimitives.Add(sum, one, sum);
            }

            TensorPrimitives.Divide(sum, models.Length, sum);
        }

        return sum;
    }

    private static SparseRow EmbeddingRow(float[] embedding, int[] allDimensions) => new(allDimensions, embedding);

    private static SparseRow LexicalRow(LexicalFeatures lexical, string text)
    {
        var grams = lexical.Transform(text);
        return new SparseRow([.. grams.Select(g => g.Index)], [.. grams.Select(g => g.Value)]);
    }
}
