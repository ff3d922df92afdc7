using Marketing.Ml.Recommendations.Algebra;
using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Recommendations.Models;

/// <summary>
/// A closed-form sequential model in the manner of SLIST (Choi et al. 2021): one item × item matrix B fitted to two
/// things at once, weighted by <see cref="Alpha"/>: rebuilding each shopper's whole set of items (as EASE does), and
/// predicting each next item from the items just before it (the last <see cref="Window"/>, weighted by recency with
/// <see cref="PositionDecay"/>). B = (α XᵀX + (1−α) SᵀS + λI)⁻¹ (α XᵀX + (1−α) SᵀT), with X the shoppers' item
/// sets, S the recency-weighted prefixes and T their next items. Scoring weighs the history by recency as well
/// (<see cref="HistoryDecay"/>), so the latest items lead.
/// </summary>
public sealed class SequentialLinearTrainer(
    float alpha = 0.5f,
    float lambda = 20f,
    int window = 10,
    float positionDecay = 2f,
    float historyDecay = 2f,
    DenseAlgebra? algebra = null) : IRecommenderTrainer
{
    public string Name => "sequential";

    public float Alpha { get; } = alpha;

    public float Lambda { get; } = lambda;

    public int Window { get; } = window;

    public float PositionDecay { get; } = positionDecay;

    public float HistoryDecay { get; } = historyDecay;

    public DenseAlgebra Algebra { get; } = algebra ?? DenseAlgebra.Default;

    public IRecommender Train(TrainingSet data, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var n = data.ItemCount;
        var left = new float[(long)n * n];
        var right = new float[(long)n * n];
        var done = 0;
        foreach (var history in data.Histories)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The shopper's whole set, as EASE sees it, into both sides.
            var set = history.Distinct().ToArray();
            var ones = new float[set.Length];
            Array.Fill(ones, 1f);
            GramMatrix.AddOuter(left, n, set, ones, Alpha);
            GramMatrix.AddOuter(right, n, set, ones, Alpha);

            // Each next item from the items just before it.
            for (var t = 1; t < history.Length; t++)
            {
                var start = Math.Max(0, t - Window);
                var (items, weights) = GramMatrix.Distinct(history.AsSpan(start, t - start), RecencyWeights.For(t - start, PositionDecay));
                GramMatrix.AddOuter(left, n, items, weights, 1 - Alpha);
                GramMatrix.AddToColumn(right, n, items, weights, history[t], 1 - Alpha);
            }

            if (++done % 1024 == 0)
            {
                progress?.Report(0.2 * done / data.Histories.Count);
            }
        }

        GramMatrix.AddDiagonal(left, n, Lambda);
        progress?.Report(0.2);
        cancellationToken.ThrowIfCancellationRequested();
        Algebra.SolveSymmetric(left, right, n);
        progress?.Report(1);
        return new LinearItemModel(Name, right, n, HistoryDecay);
    }
}
