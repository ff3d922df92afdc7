using Marketing.Cli.CommandLine;
using Marketing.Cli.Evaluation;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Marketing.Ml.Support;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>eval sentiment</c>: the sentiment classifier (the intents' method on sentiment labels) trained on one labelled
/// CSV and scored on another: the Amazon fine-food reviews by default (5 stars "great" against "other").
/// </summary>
public static class EvalSentimentCommand
{
    public const string Usage =
        "eval sentiment [--train FILE] [--test FILE] [--data PATH] [--text-column review] [--label-column score] [--limit N] "
        + ClassifierEvaluation.KnobsUsage;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var data = DataPaths.Resolve(options.String("data"));
        var trainPath = options.String("train", Path.Combine(data, "fine-food-reviews", "train.csv"));
        var testPath = options.String("test", Path.Combine(data, "fine-food-reviews", "test.csv"));
        var textColumn = options.String("text-column", "review");
        var labelColumn = options.String("label-column", "score");
        var limit = options.OptionalInt("limit");
        var knobs = ClassifierEvaluation.ReadKnobs(options, IntentModel.DefaultOptions);
        var cache = ClassifierEvaluation.ReadCache(options);
        options.EnsureAllUsed();

        var train = LabelledCsv.Read(trainPath, textColumn, labelColumn, limit);
        var test = LabelledCsv.Read(testPath, textColumn, labelColumn, limit);
        var run = await ClassifierEvaluation.RunAsync(train, test, knobs, cache, ConsoleCancellation.Token);
        Report.Command("eval sentiment", args);
        ClassifierEvaluation.PrintSetup(run, trainPath, train.Count, testPath);

        var score = ClassificationScore.Of([.. test.Select(t => t.Label)], run.Predicted);
        var majority = test.GroupBy(t => t.Label).Max(g => g.Count());
        Report.Table(["test texts", "accuracy", "macro-F1", "majority class"],
            [[Report.Count(test.Count), ClassifierEvaluation.Percent(score.Accuracy), ClassifierEvaluation.Percent(score.MacroF1), ClassifierEvaluation.Percent((double)majority / test.Count)]], leftAligned: 0);
        var labels = test.Select(t => t.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        Report.Table(["true \\ predicted", .. labels],
            labels.Select(truth => (IReadOnlyList<string>)[truth, .. labels.Select(p => Report.Count(test.Where((t, i) => t.Label == truth && run.Predicted[i] == p).Count()))]));
        return 0;
    }
}
