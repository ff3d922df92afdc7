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
    public void Category_consensus_lifts_the_aisle_most_candidates_share_above_a_stray_first_place()
    {
        List<ProductMatch> fused =
        [
            new("stray-chips", 0.033f, "chips pretzels"),
            new("detergent-1", 0.032f, "laundry"),
            new("detergent-2", 0.031f, "laundry"),
            new("detergent-3", 0.030f, "laundry"),
            new("unknown", 0.029f),
        ];

        var ranked = RankFusion.ByCategoryConsensus(fused, 4);

        Assert.Equal(["detergent-1", "detergent-2", "detergent-3", "stray-chips"], ranked.Select(m => m.Sku));
    }

    [Fact]
    public void Hybrid_keeps_an_exact_match_only_the_words_found_and_reads_both_sides()
    {
        List<ProductMatch> words = [new("sku-42", 9f, "cereal")];
        List<ProductMatch> meaning = [new("a", 0.9f, "granola"), new("b", 0.8f, "granola")];

        var ranked = RankFusion.Hybrid(words, bestCoverage: 1f, meaning, 3);

        Assert.Equal(3, ranked.Count);
        Assert.Contains(ranked, m => m.Sku == "sku-42");
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
