using System.Globalization;
using Marketing.Cli.CommandLine;
using Marketing.Ml.Recommendations.Algebra;
using Marketing.Ml.Recommendations.Data;
using Marketing.Ml.Recommendations.Models;

namespace Marketing.Cli.Evaluation;

/// <summary>
/// The models <c>eval --models</c> can train, with their settings from the command line. Defaults are the values
/// chosen on each protocol's data (λ for EASE differs by an order of magnitude between MovieLens and Beauty).
/// Popularity and item-kNN are always trained as the floor the others are read against.
/// </summary>
public static class EvalModels
{
    public static readonly IReadOnlyList<string> Known = ["popularity", "item-knn", "ease", "sequential"];

    public static IReadOnlyList<(IRecommenderTrainer Trainer, string Settings)> Parse(string? list, InteractionFormat format, CommandArgs options, DenseAlgebra algebra)
    {
        var names = (list ?? (format == InteractionFormat.Ratings ? "ease" : "ease,sequential"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => n.ToLowerInvariant())
            .SelectMany(n => n == "all" ? Known : [n])
            .ToList();
        var unknown = names.Where(n => !Known.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"--models: unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Known)}, all");
        }

        var ratings = format == InteractionFormat.Ratings;
        var neighbours = options.Int("knn-neighbours", 100, 1, 10_000);
        var easeLambda = Float(options, "ease-lambda", ratings ? 60f : 50f);
        var easeDropout = Float(options, "ease-dropout", ratings ? 0.7f : 0f, max: 0.95f);
        var shopperWeight = Float(options, "ease-shopper-weight", ratings ? 0.25f : 0f, max: 2f);
        var alpha = Float(options, "seq-alpha", ratings ? 0.7f : 0.2f, max: 1f);
        var seqLambda = Float(options, "seq-lambda", ratings ? 600f : 10f);
        var window = options.Int("seq-window", ratings ? 50 : 10, 1, 1_000);
        var positionDecay = Float(options, "seq-position-decay", ratings ? 5f : 2f);
        var historyDecay = Float(options, "seq-history-decay", ratings ? 0f : 2f);

        var chosen = new List<(IRecommenderTrainer, string)>
        {
            (new PopularityTrainer(), "training shoppers per item"),
            (new ItemKnnTrainer(neighbours), $"cosine, {neighbours} neighbours"),
        };
        if (names.Contains("ease"))
        {
            chosen.Add((new EaseTrainer(easeLambda, easeDropout, shopperWeight, algebra), $"λ {Show(easeLambda)}, dropout {Show(easeDropout)}, shopper weight {Show(shopperWeight)}"));
        }

        if (names.Contains("sequential"))
        {
            chosen.Add((new SequentialLinearTrainer(alpha, seqLambda, window, positionDecay, historyDecay, algebra),
                $"α {Show(alpha)}, λ {Show(seqLambda)}, window {window}, decay {Show(positionDecay)}/{Show(historyDecay)}"));
        }

        return chosen;
    }

    private static float Float(CommandArgs options, string name, float fallback, float max = 1e6f)
    {
        var text = options.String(name);
        if (text is null)
        {
            return fallback;
        }

        return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value <= max
            ? value
            : throw new UsageException($"--{name} must be a number from 0 to {max.ToString(CultureInfo.InvariantCulture)} (got '{text}')");
    }

    private static string Show(float value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
