using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Evaluation;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Marketing.Ml.Recommendations.Algebra;
using Marketing.Ml.Recommendations.Data;
using Marketing.Ml.Recommendations.Evaluation;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>eval</c>: offline evaluation of the recommenders on a published protocol. Ratings data get Microsoft
/// Recommenders' per-shopper stratified 75/25 split (nDCG, Precision, Recall, MAP at k); sequences get leave-one-out
/// (HR and NDCG at 5, 10, 20 over the whole catalogue). Every model is trained and scored by the same code, with
/// popularity and item-kNN always beside the others.
/// </summary>
public static class EvalCommand
{
    public const string Usage =
        "eval [--dataset movielens-100k|amazon-beauty|PATH] [--format ratings|sequences] [--models ease,sequential|all] [--seed 42] [--k 10] " +
        "[--split test|validation] [--out results.json] [--data DIR] [--algebra auto|managed] [--ease-lambda L] [--ease-dropout P] [--ease-shopper-weight B] [--knn-neighbours N] " +
        "[--seq-alpha A] [--seq-lambda L] [--seq-window W] [--seq-position-decay D] [--seq-history-decay D]";

    public static Task<int> RunAsync(string[] args) => Task.FromResult(Run(args));

    private static int Run(string[] args)
    {
        var options = new CommandArgs(args);
        var dataDir = DataPaths.Resolve(options.String("data"));
        var dataset = EvalDataset.Resolve(options.String("dataset", "movielens-100k"), options.String("format"), dataDir);
        var seed = options.Int("seed", 42, 0);
        var k = options.Int("k", 10, 1, 1_000);
        var onValidation = options.Choice("split", "test", "test", "validation") == "validation";
        var outPath = options.String("out");
        var algebra = options.Choice("algebra", "auto", "auto", "managed") == "managed" ? DenseAlgebra.Managed : DenseAlgebra.Default;
        var models = EvalModels.Parse(options.String("models"), dataset.Format, options, algebra);
        options.EnsureAllUsed();
        options.EnsureNoPositionals();

        InteractionData data;
        try
        {
            data = InteractionLoader.Load(dataset.Path, dataset.Format);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--dataset: {e.Message}");
        }

        if (onValidation && dataset.Format == InteractionFormat.Ratings)
        {
            throw new UsageException("--split validation: the stratified ratings protocol has no validation split (it is for sequences)");
        }

        var split = dataset.Format == InteractionFormat.Ratings ? Splits.Stratified(data, 0.75, seed) : Splits.LeaveOneOut(data, onValidation);
        var cases = split.Test;
        if (cases.Count == 0)
        {
            throw new UsageException($"--dataset {dataset.Name}: no shopper has anything held out to test on");
        }

        var metrics = dataset.Format == InteractionFormat.Ratings ? RankingMetric.RatingsProtocol(k) : RankingMetric.LeaveOneOutProtocol(k);
        var results = RunModels(models, split, cases, metrics, k);

        Report.Command("eval", args);
        Console.Out.WriteLine($"{MachineDescription.Line()}; dense algebra: {algebra.Description}.");
        Console.Out.WriteLine($"{dataset.Name} ({dataset.Path}): {data.UserCount:N0} shoppers, {data.ItemCount:N0} items, {data.Interactions.Count:N0} interactions; " +
            $"{split.Protocol}; {cases.Count:N0} cases; history excluded; top {k}.");
        Console.Out.WriteLine();
        Report.Table(
            ["model", "settings", .. metrics.Select(m => m.Label), $"coverage@{k}", "popularity pct", "train s", "score s"],
            results.Select(r => (IReadOnlyList<string>)[
                r.Evaluation.Model, r.Settings, .. metrics.Select(m => r.Evaluation.Metrics[m.Label].ToString("F4", CultureInfo.InvariantCulture)),
                r.Evaluation.CatalogueCoverage.ToString("P1", CultureInfo.InvariantCulture), r.Evaluation.PopularityPercentile.ToString("F1", CultureInfo.InvariantCulture),
                r.Evaluation.TrainingTime.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture), r.Evaluation.ScoringTime.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),
            ]),
            leftAligned: 2);

        if (outPath is not null)
        {
            WriteJson(outPath, args, dataset, data, split, algebra, seed, k, results);
            Console.Out.WriteLine($"Results written to {Path.GetFullPath(outPath)}");
        }

        return 0;
    }

    private static List<(ModelEvaluation Evaluation, string Settings)> RunModels(
        IReadOnlyList<(Ml.Recommendations.Models.IRecommenderTrainer Trainer, string Settings)> models,
        EvaluationSplit split,
        IReadOnlyList<EvaluationCase> cases,
        IReadOnlyList<RankingMetric> metrics,
        int k)
    {
        var cancellation = ConsoleCancellation.Token;
        var results = new List<(ModelEvaluation, string)>();
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                foreach (var (trainer, settings) in models)
                {
                    var training = context.AddTask($"train {trainer.Name}", maxValue: 1);
                    var clock = Stopwatch.StartNew();
                    var model = trainer.Train(split.Train, new Progress<double>(p => training.Value = p), cancellation);
                    var trainingTime = clock.Elapsed;
                    training.Value = 1;
                    training.StopTask();

                    var scoring = context.AddTask($"rank {trainer.Name}", maxValue: cases.Count);
                    var evaluation = OfflineEvaluator.Evaluate(model, cases, metrics, k, split.Train, trainingTime, new Progress<int>(c => scoring.Value = c), cancellation);
                    scoring.Value = cases.Count;
                    scoring.StopTask();
                    results.Add((evaluation, settings));
                }
            });
        return results;
    }

    private static void WriteJson(string path, string[] args, EvalDataset dataset, InteractionData data, EvaluationSplit split, DenseAlgebra algebra, int seed, int k,
        List<(ModelEvaluation Evaluation, string Settings)> results)
    {
        var document = new
        {
            command = "eval " + string.Join(' ', args),
            dataset = dataset.Name,
            path = dataset.Path,
            format = dataset.Format.ToString().ToLowerInvariant(),
            protocol = split.Protocol,
            seed,
            k,
            cpu = MachineDescription.CpuModel(),
            vectorFeatures = MachineDescription.VectorFeatures(),
            cores = Environment.ProcessorCount,
            denseAlgebra = algebra.Description,
            users = data.UserCount,
            items = data.ItemCount,
            interactions = data.Interactions.Count,
            models = results.Select(r => new
            {
                model = r.Evaluation.Model,
                settings = r.Settings,
                metrics = r.Evaluation.Metrics,
                catalogueCoverage = r.Evaluation.CatalogueCoverage,
                popularityPercentile = r.Evaluation.PopularityPercentile,
                trainingSeconds = r.Evaluation.TrainingTime.TotalSeconds,
                scoringSeconds = r.Evaluation.ScoringTime.TotalSeconds,
                cases = r.Evaluation.Cases,
            }),
        };
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
