using Marketing.Ml.Search;

namespace Marketing.Ml.Tests;

/// <summary>Reciprocal rank fusion of the meaning ranking with the words ranking.</summary>
public sealed class RankFusionTests
{
    private static List<ProductMatch> Ranking(params string[] skus) => [.. skus.Select((s, i) => new ProductMatch(s, 1f / (i + 1)))];

    [Fact]
    public void A_product_found_by_one_side_only_is_kept()
    {
        var fused = RankFusion.Fuse([Ranking("a", "b"), Ranking("brand-match")], [1f, 1f], 3);

        Assert.Equal(3, fused.Count);
        Assert.Contains(fused, m => m.Sku == "brand-match");
    }

    [Fact]
    public void A_product_both_sides_rank_well_beats_one_that_only_one_side_ranks_first()
    {
        var fused = RankFusion.Fuse([Ranking("meaning-only", "both"), Ranking("words-only", "both")], [1f, 1f], 3);

        Assert.Equal("both", fused[0].Sku);
        Assert.Equal(["both", "meaning-only", "words-only"], fused.Select(m => m.Sku));
    }

    [Fact]
    public void Weights_tip_the_balance_and_k_bounds_the_answer()
    {
        var toWords = RankFusion.Fuse([Ranking("m1", "m2"), Ranking("w1", "w2")], [1f, 2f], 2);

        Assert.Equal(["w1", "w2"], toWords.Select(m => m.Sku));
        Assert.Throws<ArgumentException>(() => RankFusion.Fuse([Ranking("a")], [1f, 1f], 1));
    }

    [Fact]
    public void Shards_merge_by_score_and_ties_by_sku()
    {
        var merged = RankFusion.MergeShards([[new("b", 0.5f), new("d", 0.1f)], [new("a", 0.5f), new("c", 0.9f)]], 3);

        Assert.Equal(["c", "a", "b"], merged.Select(m => m.Sku));
    }

    [Fact]
    public void Precision_and_ndcg_reward_relevant_hits_near_the_top()
    {
        bool[] top = [true, true, false, false];
        bool[] bottom = [false, false, true, true];

        Assert.Equal(0.2, RankingMetrics.PrecisionAt(top, 10), 6);
        Assert.Equal(RankingMetrics.PrecisionAt(top, 10), RankingMetrics.PrecisionAt(bottom, 10));
        Assert.True(RankingMetrics.NdcgAt(top, 10) > RankingMetrics.NdcgAt(bottom, 10));
        Assert.Equal(1.0, RankingMetrics.NdcgAt(Enumerable.Repeat(true, 10).ToList(), 10), 6);
    }
}
