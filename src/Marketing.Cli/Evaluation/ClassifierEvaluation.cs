using System.Diagnostics;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Reporting;
using Marketing.Ml.Embeddings;
using Marketing.Ml.Support;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Marketing.Cli.Evaluation;

/// <summary>One text classifier's predictions on a test set: the label, its probability, and the times taken.</summary>
public sealed record EvaluatedClassifier(
    IReadOnlyList<LabelledText> Test, IReadOnlyList<string> Predicted, IReadOnlyList<float> Confidence, string Model,
    string Provider, TimeSpan EmbedTime, TimeSpan TrainTime, TextClassifierOptions Options);

/// <summary>
/// What <c>eval intents</c> and <c>eval sentiment</c> share: the classifier's knobs as options, embedding the train
/// and test texts (cached per model), training with a progress bar and predicting the test set.
/// </summary>
public static class ClassifierEvaluation
{
    public const string KnobsUsage =
        "[--embedding-weight 2] [--ngram-weight 1] [--char-weight 1] [--min-df 1] [--seeds 3] [--epochs 30] [--learning-rate 0.5] [--l2 1e-5] [--cache DIR|none]";

    public static TextClassifierOptions ReadKnobs(CommandArgs args, TextClassifierOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(defaults);
        return defaults with
        {
            EmbeddingWeight = Float(args, "embedding-weight", defaults.EmbeddingWeight),
            NgramWeight = Float(args, "ngram-weight", defaults.NgramWeight),
            CharWeight = Float(args, "char-weight", defaults.CharWeight),
            MinDocuments = args.Int("min-df", defaults.MinDocuments, 1, 1000),
            Seeds = args.Int("seeds", defaults.Seeds, 1, 16),
            Training = defaults.Training with
            {
                Epochs = args.Int("epochs", defaults.Training.Epochs, 1, 1000),
                LearningRate = Float(args, "learning-rate", defaults.Training.LearningRate, positive: true),
                L2 = Float(args, "l2", defaults.Training.L2),
            },
        };
    }

    public static string? ReadCache(CommandArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var cache = args.String("cache");
        return cache is null ? EmbeddingCache.DefaultFolder() : cache == "none" ? null : Path.GetFullPath(cache);
    }

    public static async Task<EvaluatedClassifier> RunAsync(
        IReadOnlyList<LabelledText> train, IReadOnlyList<LabelledText> test, TextClassifierOptions options, string? cacheFolder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        using var encoder = new OnnxTextEncoder(Options.Create(new EncoderOptions()));
        var cache = new EmbeddingCache(encoder, cacheFolder);
        float[][] trainVectors = [], testVectors = [];
        TextClassifier? classifier = null;
        var embedTime = TimeSpan.Zero;
        var trainTime = TimeSpan.Zero;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RowsPerSecondColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var clock = Stopwatch.StartNew();
                var embedTrain = context.AddTask($"embed {train.Count:N0} training texts", maxValue: train.Count);
                trainVectors = await cache.EmbedAsync([.. train.Select(e => e.Text)], new Progress<int>(n => embedTrain.Value = n), cancellationToken);
                embedTrain.Value = train.Count;
                var embedTest = context.AddTask($"embed {test.Count:N0} test texts", maxValue: test.Count);
                testVectors = await cache.EmbedAsync([.. test.Select(e => e.Text)], new Progress<int>(n => embedTest.Value = n), cancellationToken);
                embedTest.Value = test.Count;
                embedTime = clock.Elapsed;
                clock.Restart();
                var fit = context.AddTask($"train ({options.Training.Epochs} epochs)", maxValue: options.Training.Epochs);
                classifier = await Task.Run(() => TextClassifier.Train(train, trainVectors, options, new Progress<int>(n => fit.Value = n)), cancellationToken);
                fit.Value = options.Training.Epochs;
                trainTime = clock.Elapsed;
            });

        var predicted = new string[test.Count];
        var confidence = new float[test.Count];
        Parallel.For(0, test.Count, i => (predicted[i], confidence[i]) = classifier!.Predict(test[i].Text, testVectors[i]));
        return new EvaluatedClassifier(test, predicted, confidence, encoder.Model.ToString(), $"{encoder.Provider} {encoder.Precision}", embedTime, trainTime, options);
    }

    public static void PrintSetup(EvaluatedClassifier run, string trainPath, int trainCount, string testPath)
    {
        ArgumentNullException.ThrowIfNull(run);
        var o = run.Options;
        Console.WriteLine(MachineDescription.Line() + "  ");
        Console.WriteLine($"Encoder: {run.Model} on {run.Provider}  ");
        Console.WriteLine($"Classifier: blend of two multinomial logistic regressions, on the embedding (weight {o.EmbeddingWeight}) and on TF-IDF word 1-2-grams and char 3-5-grams (weight {o.NgramWeight}, chars ×{o.CharWeight}, min df {o.MinDocuments}); {o.Seeds} seed(s) per view; AdaGrad, {o.Training.Epochs} epochs, step {o.Training.LearningRate}, L2 {o.Training.L2}  ");
        Console.WriteLine($"Train: {trainPath} ({trainCount:N0} texts); test: {testPath} ({run.Test.Count:N0} texts)  ");
        Console.WriteLine($"Embedding (or reading the cache) {run.EmbedTime.TotalSeconds:F1} s, training {run.TrainTime.TotalSeconds:F1} s");
        Console.WriteLine();
    }

    public static string Percent(double value) => (100 * value).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) + "%";

    private static float Float(CommandArgs args, string name, float fallback, bool positive = false)
    {
        var text = args.String(name);
        if (text is null)
        {
            return fallback;
        }

        return float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 && (!positive || value > 0)
            ? value
            : throw new UsageException($"--{name} must be a {(positive ? "positive" : "non-negative")} number (got '{text}')");
    }
}
