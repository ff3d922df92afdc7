using Marketing.Ml.Embeddings;

namespace Marketing.Ml.Support;

/// <summary>
/// What became of a retraining from agents' corrections: whether the new model replaced the old one (it did not score
/// worse on the held-out utterances), both models' accuracy there, and the training set's size afterwards.
/// </summary>
public sealed record RetrainOutcome(bool Adopted, double PreviousAccuracy, double NewAccuracy, int TrainingExamples);

/// <summary>
/// The shop's intent classifier at run time: the sentence encoder plus an <see cref="IntentModel"/> trained on labelled
/// utterances, with a held-out share kept aside so that a retraining from agents' corrections is adopted only when it
/// does not do worse on it. Thread-safe: classifications read the current model while a retraining builds the next.
/// </summary>
public sealed class IntentRecognizer : IIntentClassifier, IDisposable
{
    /// <summary>Every n-th utterance of each intent is held out to judge retrainings.</summary>
    public const int HeldOutEvery = 5;

    private readonly ITextEncoder _encoder;
    private readonly List<(LabelledText Example, float[] Vector)> _training;
    private readonly List<(LabelledText Example, float[] Vector)> _heldOut;
    private readonly TextClassifierOptions _options;
    private readonly SemaphoreSlim _retraining = new(1, 1);
    private IntentModel _model;

    private IntentRecognizer(ITextEncoder encoder, List<(LabelledText, float[])> training, List<(LabelledText, float[])> heldOut, TextClassifierOptions options, IntentModel model)
    {
        _encoder = encoder;
        _training = training;
        _heldOut = heldOut;
        _options = options;
        _model = model;
    }

    public IntentModel Model => Volatile.Read(ref _model);

    /// <summary>The shop's intents (<see cref="ShopSupportData.Intents"/>), trained now.</summary>
    public static Task<IntentRecognizer> ForShopAsync(ITextEncoder encoder, CancellationToken cancellationToken = default) =>
        TrainAsync(encoder, ShopSupportData.Intents(), ShopSupportData.OutOfScopeIntent, cancellationToken: cancellationToken);

    /// <summary>Trains on <paramref name="examples"/>, every <see cref="HeldOutEvery"/>-th of each intent held out.</summary>
    public static async Task<IntentRecognizer> TrainAsync(
        ITextEncoder encoder, IReadOnlyList<LabelledText> examples, string outOfScopeIntent, float threshold = IntentModel.DefaultThreshold,
        TextClassifierOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(examples);
        var vectors = await encoder.EncodeBatchAsync([.. examples.Select(e => e.Text)], cancellationToken);
        var training = new List<(LabelledText, float[])>();
        var heldOut = new List<(LabelledText, float[])>();
        foreach (var group in examples.Select((e, i) => (Example: e, Vector: vectors[i])).GroupBy(p => p.Example.Label))
        {
            foreach (var (pair, i) in group.Select((p, i) => (p, i)))
            {
                (i % HeldOutEvery == HeldOutEvery - 1 ? heldOut : training).Add((pair.Example, pair.Vector));
            }
        }

        options ??= IntentModel.DefaultOptions;
        var model = new IntentModel(Fit(training, options), threshold, outOfScopeIntent);
        return new IntentRecognizer(encoder, training, heldOut, options, model);
    }

    public async Task<IntentPrediction> ClassifyAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var vector = await _encoder.EncodeAsync(text, cancellationToken);
        return Model.Predict(text, vector);
    }

    /// <summary>Share of the held-out utterances the current model gets right.</summary>
    public double HeldOutAccuracy() => Accuracy(Model.Classifier);

    /// <summary>
    /// Adds agents' corrections to the training set and retrains; the new model replaces the current one unless it
    /// does worse on the held-out utterances, in which case the corrections are dropped too.
    /// </summary>
    public async Task<RetrainOutcome> RetrainAsync(IReadOnlyList<LabelledText> corrections, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corrections);
        if (corrections.Any(c => string.IsNullOrWhiteSpace(c.Text) || string.IsNullOrWhiteSpace(c.Label)))
        {
            throw new ArgumentException("Every correction needs a text and an intent.", nameof(corrections));
        }

        await _retraining.WaitAsync(cancellationToken);
        try
        {
            var vectors = await _encoder.EncodeBatchAsync([.. corrections.Select(c => c.Text)], cancellationToken);
            var candidate = _training.Concat(corrections.Select((c, i) => (c, vectors[i]))).ToList();
            var current = Model;
            var next = await Task.Run(() => Fit(candidate, _options), cancellationToken);
            var (before, after) = (Accuracy(current.Classifier), Accuracy(next));
            var adopted = after >= before;
            if (adopted)
            {
                _training.Clear();
                _training.AddRange(candidate);
                Volatile.Write(ref _model, new IntentModel(next, current.Threshold, current.OutOfScopeIntent));
            }

            return new RetrainOutcome(adopted, before, after, _training.Count);
        }
        finally
        {
            _retraining.Release();
        }
    }

    public void Dispose() => _retraining.Dispose();

    private double Accuracy(TextClassifier classifier) =>
        _heldOut.Count == 0 ? 1.0 : (double)_heldOut.Count(h => classifier.Predict(h.Example.Text, h.Vector).Label == h.Example.Label) / _heldOut.Count;

    private static TextClassifier Fit(List<(LabelledText Example, float[] Vector)> examples, TextClassifierOptions options) =>
        TextClassifier.Train([.. examples.Select(e => e.Example)], [.. examples.Select(e => e.Vector)], options);
}
