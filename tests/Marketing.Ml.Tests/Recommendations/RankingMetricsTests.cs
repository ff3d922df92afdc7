using Marketing.Ml.Recommendations.Evaluation;

namespace Marketing.Ml.Tests.Recommendations;

public class RankingMetricsTests
{
    // Ranked 1..5; relevant 2, 5 and 9 (9 never ranked): hits at ranks 2 and 5.
    private static readonly int[] Ranked = [1, 2, 3, 4, 5];
    private static readonly HashSet<int> Relevant = [2, 5, 9];

    [Fact]
    public void Precision_recall_and_hit_rate_count_the_hits_in_the_top_k()
    {
        Assert.Equal(0.4, RankingMetrics.Precision(Ranked, Relevant, 5), 10);
        Assert.Equal(2 / 3.0, RankingMetrics.Recall(Ranked, Relevant, 5), 10);
        Assert.Equal(1, RankingMetrics.HitRate(Ranked, Relevant, 5));
        Assert.Equal(0, RankingMetrics.HitRate(Ranked, Relevant, 1));
        Assert.Equal(0.5, RankingMetrics.Precision(Ranked, Relevant, 2), 10);
    }

    [Fact]
    public void Ndcg_divides_by_the_ideal_list_of_min_k_relevant_items()
    {
        // DCG = 1/log2(3) + 1/log2(6); ideal = 1 + 1/log2(3) + 1/log2(4).
        var expected = (1 / Math.Log2(3) + 1 / Math.Log2(6)) / (1 + 1 / Math.Log2(3) + 0.5);
        Assert.Equal(expected, RankingMetrics.Ndcg(Ranked, Relevant, 5), 10);

        // At k = 2 the ideal holds two relevant items.
        Assert.Equal(1 / Math.Log2(3) / (1 + 1 / Math.Log2(3)), RankingMetrics.Ndcg(Ranked, Relevant, 2), 10);

        // One relevant item at rank 3 (leave-one-out): 1/log2(4).
        Assert.Equal(0.5, RankingMetrics.Ndcg(Ranked, new HashSet<int> { 3 }, 10), 10);
    }

    [Fact]
    public void Map_sums_precision_at_each_hit_and_divides_by_all_relevant_items()
    {
        // Hits at ranks 2 (precision 1/2) and 5 (2/5), over the 3 relevant items, as Microsoft Recommenders' map_at_k.
        Assert.Equal((0.5 + 0.4) / 3, RankingMetrics.AveragePrecision(Ranked, Relevant, 5), 10);
        Assert.Equal(0.5 / 3, RankingMetrics.AveragePrecision(Ranked, Relevant, 4), 10);
        Assert.Equal(0, RankingMetrics.AveragePrecision(Ranked, new HashSet<int>(), 5));
    }

    [Fact]
    public void Popularity_percentiles_rank_items_and_share_ties()
    {
        var percentiles = OfflineEvaluator.PopularityPercentiles([5, 1, 5, 0, 9]);

        Assert.Equal([62.5, 25, 62.5, 0, 100], percentiles);
    }
}
