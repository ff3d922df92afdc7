using Marketing.Ml.Recommendations.Algebra;
using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Recommendations.Models;

/// <summary>
/// EASE (Steck 2019): the item × item weights that best rebuild each shopper's items from their other items, with an
/// L2 penalty λ and a zero diagonal, in one closed-form solve: P = (XᵀX + Λ)⁻¹, B = −P / diag(P). With
/// <see cref="Dropout"/> p &gt; 0 the penalty also grows with each item's popularity, Λ = λI + p/(1−p)·diag(XᵀX)
/// (the emphasised-denoising form of Steck 2020). With <see cref="ShopperWeight"/> β &gt; 0 each shopper's row counts
/// |items|^−β, so that a few shoppers with hundreds of items do not dominate the co-occurrences.
/// </summary>
public sealed class EaseTrainer(float lambda = 400f, float dropout = 0f, float shopperWeight = 0f, DenseAlgebra? algebra = null) : IRecommenderTrainer
{
    public string Name => "ease";

    public float Lambda { get; } = lambda;

    public float Dropout { get; } = dropout;

    public float ShopperWeight { get; } = shopperWeight;

    public DenseAlgebra Algebra { get; } = algebra ?? DenseAlgebra.Default;

    public IRecommender Train(TrainingSet data, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var n = data.ItemCount;
        var p = new float[(long)n * n];
        var done = 0;
        foreach (var history in data.Histories)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var distinct = history.Distinct().ToArray();
            var ones = new float[distinct.Length];
            Array.Fill(ones, 1f);
            GramMatrix.AddOuter(p, n, distinct, ones, distinct.Length == 0 ? 0 : MathF.Pow(distinct.Length, -ShopperWeight));
            if (++done % 1024 == 0)
            {
                progress?.Report(0.1 * done / data.Histories.Count);
            }
        }

        for (var i = 0; i < n; i++)
        {
            var count = p[(long)i * n + i];
            p[(long)i * n + i] = count + Lambda + (Dropout > 0 ? Dropout / (1 - Dropout) * count : 0);
        }

        progress?.Report(0.1);
        cancellationToken.ThrowIfCancellationRequested();
        Algebra.InvertSymmetric(p, n);
        progress?.Report(0.9);
        cancellationToken.ThrowIfCancellationRequested();
        var diagonal = new float[n];
        for (var j = 0; j < n; j++)
        {
            diagonal[j] = p[(long)j * n + j];
        }

        Parallel.For(0, n, i =>
        {
            var row = p.AsSpan((int)((long)i * n), n);
            for (var j = 0; j < n; j++)
            {
                row[j] = i == j ? 0 : -row[j] / diagonal[j];
            }
        });
        progress?.Report(1);
        return new LinearItemModel(Name, p, n, 0);
    }
}
