using System.Globalization;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Evaluation;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Marketing.Ml.Support;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>eval intents</c>: trains the support intent classifier on one <c>text,category</c> CSV and scores it on
/// another (BANKING77 by default), with out-of-scope detection by a confidence threshold: its recall on texts of an
/// out-of-scope label (<c>--out-of-scope</c>) or of intents kept out of training (<c>--unseen-intents</c>).
/// </summary>
public static class EvalIntentsCommand
{
    private const string Unseen = "(unseen intent)";

    public const string Usage =
        "eval intents [--train FILE] [--test FILE] [--data PATH] [--text-column text] [--label-column category] [--out-of-scope LABEL] [--unseen-intents N] [--threshold 0.3] [--limit N] [--errors N] "
        + ClassifierEvaluation.KnobsUsage;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var data = DataPaths.Resolve(options.String("data"));
        var trainPath = options.String("train", Path.Combine(data, "banking77", "train.csv"));
        var testPath = options.String("test", Path.Combine(data, "banking77", "test.csv"));
        var textColumn = options.String("text-column", "text");
        var labelColumn = options.String("label-column", "category");
        var outOfScope = options.String("out-of-scope");
        var unseenCount = options.Int("unseen-intents", 0, 0, 1000);
        var threshold = Threshold(options.String("threshold"));
        var limit = options.OptionalInt("limit");
        var errors = options.Int("errors", 0, 0, 10_000);
        var knobs = ClassifierEvaluation.ReadKnobs(options, IntentModel.DefaultOptions);
        var cache = ClassifierEvaluation.ReadCache(options);
        options.EnsureAllUsed();
        if (outOfScope is not null && unseenCount > 0)
        {
            throw new UsageException("give --out-of-scope or --unseen-intents, not both");
        }

        var train = LabelledCsv.Read(trainPath, textColumn, labelColumn, limit);
        var test = LabelledCsv.Read(testPath, textColumn, labelColumn, limit);
        if (outOfScope is not null && !test.Any(t => t.Label == outOfScope))
        {
            throw new UsageException($"--out-of-scope: no test row of {testPath} is labelled '{outOfScope}'");
        }

        if (unseenCount > 0)
        {
            // Every k-th intent in name order: spread over the label set, and the same on every run.
            var labels = train.Select(t => t.Label).Distinct().Order(StringComparer.Ordinal).ToList();
            if (unseenCount >= labels.Count)
            {
                throw new UsageException($"--unseen-intents must be below the {labels.Count} intents of {trainPath}");
            }

            var unseen = labels.Where((_, i) => i % (labels.Count / unseenCount) == 0).Take(unseenCount).ToHashSet();
            train = [.. train.Where(t => !unseen.Contains(t.Label))];
            test = [.. test.Select(t => unseen.Contains(t.Label) ? t with { Label = Unseen } : t)];
            outOfScope = Unseen;
        }

        var run = await ClassifierEvaluation.RunAsync(train, test, knobs, cache, ConsoleCancellation.Token);
        Report.Command("eval intents", args);
        ClassifierEvaluation.PrintSetup(run, trainPath, train.Count, testPath);

        var inScope = Enumerable.Range(0, test.Count).Where(i => test[i].Label != outOfScope).ToList();
        var score = ClassificationScore.Of([.. inScope.Select(i => test[i].Label)], [.. inScope.Select(i => run.Predicted[i])]);
        Report.Table(["test texts", "in scope", "accuracy (in scope)", "macro-F1 (in scope)"],
            [[Report.Count(test.Count), Report.Count(inScope.Count), ClassifierEvaluation.Percent(score.Accuracy), ClassifierEvaluation.Percent(score.MacroF1)]], leftAligned: 0);

        var outside = Enumerable.Range(0, test.Count).Where(i => test[i].Label == outOfScope).ToList();
        var thresholds = new[] { 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f }.Append(threshold).Distinct().Order();
        Report.Table(["threshold", "out-of-scope texts", "out-of-scope recall", "in scope flagged", "in scope answered correctly"],
            thresholds.Select(t =>
            {
                bool Flagged(int i) => run.Predicted[i] == outOfScope || run.Confidence[i] < t;
                var answered = inScope.Count(i => !Flagged(i) && run.Predicted[i] == test[i].Label);
                var recall = outside.Count == 0 ? "-" : ClassifierEvaluation.Percent((double)outside.Count(Flagged) / outside.Count);
                var label = t.ToString("0.0#", CultureInfo.InvariantCulture) + (t == threshold ? " (chosen)" : "");
                return (IReadOnlyList<string>)[label, Report.Count(outside.Count), recall,
                    ClassifierEvaluation.Percent((double)inScope.Count(Flagged) / Math.Max(1, inScope.Count)),
                    ClassifierEvaluation.Percent((double)answered / Math.Max(1, inScope.Count))];
            }));
        if (errors > 0)
        {
            Report.Table(["text", "intent", "taken for", "confidence"], Enumerable.Range(0, test.Count)
                .Where(i => test[i].Label != run.Predicted[i])
                .Take(errors)
                .Select(i => (IReadOnlyList<string>)[test[i].Text, test[i].Label, run.Predicted[i], run.Confidence[i].ToString("F2", CultureInfo.InvariantCulture)]), leftAligned: 3);
        }

        return 0;
    }

    private static float Threshold(string? text)
    {
        if (text is null)
        {
            return IntentModel.DefaultThreshold;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0f and < 1f
            ? value
            : throw new UsageException($"--threshold must be a probability from 0 to below 1 (got '{text}')");
    }
}
