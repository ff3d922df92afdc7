using Marketing.Ml.Recommendations.Data;
using Marketing.Ml.Recommendations.Models;

namespace Marketing.Ml.Recommendations.Evaluation;

/// <summary>One metric at one cut-off, e.g. nDCG@10.</summary>
public sealed record RankingMetric(string Name, int K, Func<int[], IReadOnlySet<int>, int, double> Compute)
{
    public string Label => $"{Name}@{K}";

    /// <summary>nDCG, Precision, Recall and MAP at k: the Microsoft Recommenders table for MovieLens.</summary>
    public static IReadOnlyList<RankingMetric> RatingsProtocol(int k) =>
    [
        new("nDCG", k, (r, t, c) => RankingMetrics.Ndcg(r, t, c)),
        new("Precision", k, (r, t, c) => RankingMetrics.Precision(r, t, c)),
        new("Recall", k, (r, t, c) => RankingMetrics.Recall(r, t, c)),
        new("MAP", k, (r, t, c) => RankingMetrics.AveragePrecision(r, t, c)),
    ];

    /// <summary>HR and NDCG at 5, 10 and 20 (and at k if it is another): the sequential papers' table.</summary>
    public static IReadOnlyList<RankingMetric> LeaveOneOutProtocol(int k) =>
    [
        .. new[] { 5, 10, 20, k }.Distinct().Order().SelectMany(c => new RankingMetric[]
        {
            new("HR", c, (r, t, x) => RankingMetrics.HitRate(r, t, x)),
            new("NDCG", c, (r, t, x) => RankingMetrics.Ndcg(r, t, x)),
        }),
    ];
}

/// <summary>What one model scored on one split.</summary>
public sealed record ModelEvaluation(
    string Model,
    IReadOnlyDictionary<string, double> Metrics,
    double CatalogueCoverage,
    double PopularityPercentile,
    TimeSpan TrainingTime,
    TimeSpan ScoringTime,
    int Cases);

/// <summary>
/// Ranks every case's whole catalogue with a trained model, its excluded items removed, and averages the metrics
/// over all cases. Also reports the share of the catalogue that appears in anyone's top k and how popular the
/// recommended items are (mean percentile of their training popularity: 100 is the most popular item).
/// </summary>
public static class OfflineEvaluator
{
    public static ModelEvaluation Evaluate(
        IRecommender model,
        IReadOnlyList<EvaluationCase> cases,
        IReadOnlyList<RankingMetric> metrics,
        int k,
        TrainingSet train,
        TimeSpan trainingTime,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var depth = Math.Max(k, metrics.Max(m => m.K));
        var sums = new double[metrics.Count];
        var recommended = new bool[model.ItemCount];
        var percentiles = PopularityPercentiles(train.ItemPopularity());
        var percentileSum = 0.0;
        long recommendedCount = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var done = 0;
        var gate = new object();
        Parallel.For(0, cases.Count, new ParallelOptions { CancellationToken = cancellationToken }, () => new float[model.ItemCount], (c, _, scores) =>
        {
            var @case = cases[c];
            model.Score(@case.History, scores);
            var ranked = RecommenderExtensions.TopItems(scores, depth, @case.Excluded);
            var relevant = new HashSet<int>(@case.Relevant);
            var values = metrics.Select(m => m.Compute(ranked, relevant, m.K)).ToArray();
            var top = ranked.Take(k).ToArray();
            lock (gate)
            {
                for (var m = 0; m < values.Length; m++)
                {
                    sums[m] += values[m];
                }

                foreach (var item in top)
                {
                    recommended[item] = true;
                    percentileSum += percentiles[item];
                }

                recommendedCount += top.Length;
            }

            var count = Interlocked.Increment(ref done);
            if (count % 64 == 0)
            {
                progress?.Report(count);
            }

            return scores;
        }, _ => { });
        progress?.Report(cases.Count);

        var results = metrics.Select((m, i) => (m.Label, Value: cases.Count == 0 ? 0 : sums[i] / cases.Count)).ToDictionary(p => p.Label, p => p.Value);
        return new ModelEvaluation(
            model.Name,
            results,
            model.ItemCount == 0 ? 0 : recommended.Count(r => r) / (double)model.ItemCount,
            recommendedCount == 0 ? 0 : percentileSum / recommendedCount,
            trainingTime,
            clock.Elapsed,
            cases.Count);
    }

    /// <summary>Each item's popularity as a percentile of the catalogue (ties share their mean rank).</summary>
    public static double[] PopularityPercentiles(int[] popularity)
    {
        var n = popularity.Length;
        var result = new double[n];
        if (n < 2)
        {
            Array.Fill(result, 100.0);
            return result;
        }

        var order = Enumerable.Range(0, n).OrderBy(i => popularity[i]).ToArray();
        for (var start = 0; start < n;)
        {
            var end = start;
            while (end + 1 < n && popularity[order[end + 1]] == popularity[order[start]])
            {
                end++;
            }

            var percentile = 100.0 * ((start + end) / 2.0) / (n - 1);
            for (var i = start; i <= end; i++)
            {
                result[order[i]] = percentile;
            }

            start = end + 1;
        }

        return result;
    }
}
