using Marketing.Ml.Recommendations.Algebra;
using Marketing.Ml.Recommendations.Data;
using Marketing.Ml.Recommendations.Evaluation;
using Marketing.Ml.Recommendations.Models;

namespace Marketing.Ml.Tests.Recommendations;

public class ModelTests
{
    // Items 0 and 1 always go together, as do 2 and 3; item 4 is the most popular on its own.
    private static readonly TrainingSet Baskets = new(5,
    [
        [0, 1], [0, 1, 4], [1, 0], [2, 3, 4], [3, 2], [2, 3], [4], [4], [4], [4, 0, 1],
    ]);

    public static TheoryData<string> Algebras => ["default", "managed"];

    [Theory]
    [MemberData(nameof(Algebras))]
    public void Ease_recommends_the_item_bought_with_the_shoppers_item_over_the_most_popular(string algebra)
    {
        var trainer = new EaseTrainer(lambda: 1f, algebra: algebra == "managed" ? DenseAlgebra.Managed : DenseAlgebra.Default);
        var model = trainer.Train(Baskets);

        Assert.Equal(1, model.Recommend([0], 1, [0])[0]);
        Assert.Equal(2, model.Recommend([3], 1, [3])[0]);
        Assert.Equal(4, new PopularityTrainer().Train(Baskets).Recommend([0], 1, [0])[0]);
    }

    [Fact]
    public void Native_and_managed_solves_give_the_same_scores()
    {
        var scores = new[] { DenseAlgebra.Default, DenseAlgebra.Managed }.Select(a =>
        {
            var values = new float[5];
            new SequentialLinearTrainer(alpha: 0.5f, lambda: 1f, algebra: a).Train(Baskets).Score([2, 0], values);
            return values;
        }).ToArray();

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(scores[1][i], scores[0][i], 3);
        }
    }

    [Fact]
    public void The_sequential_model_predicts_what_follows_the_latest_item()
    {
        // Shoppers go 0 → 1 → 2 → 3 (or part of it), so after 1 comes 2, whatever else they had.
        var sequences = new TrainingSet(6, [.. Enumerable.Range(0, 30).Select(u => u % 3 == 0 ? new[] { 0, 1, 2, 3 } : u % 3 == 1 ? [1, 2, 3] : new[] { 5, 0, 1, 2 })]);

        var model = new SequentialLinearTrainer(alpha: 0.2f, lambda: 1f).Train(sequences);

        Assert.Equal(2, model.Recommend([0, 1], 1, [0, 1])[0]);
        Assert.Equal(1, model.Recommend([5, 0], 1, [5, 0])[0]);
    }

    [Fact]
    public void Item_knn_scores_the_neighbours_of_the_history()
    {
        var model = new ItemKnnTrainer(neighbours: 2).Train(Baskets);

        Assert.Equal(3, model.Recommend([2], 1, [2])[0]);
    }

    [Fact]
    public void On_a_slice_of_movielens_ease_beats_popularity()
    {
        var path = Path.Combine(InstacartCatalogue.DataFolder, "movielens-100k", "ratings.csv");
        var full = InteractionLoader.Load(path, InteractionFormat.Ratings);

        // The first 300 shoppers in the file and the 500 items they rated most: a second to train even without
        // OpenBLAS, yet real data.
        var users = full.Interactions.Select(i => i.User).Distinct().Take(300).ToHashSet();
        var kept = full.Interactions.Where(i => users.Contains(i.User)).ToList();
        var items = kept.GroupBy(i => i.Item).OrderByDescending(g => g.Count()).Take(500).Select(g => g.Key).ToHashSet();
        var (userIds, itemIds) = (new IdMap(), new IdMap());
        var slice = new InteractionData(userIds, itemIds, [.. kept.Where(i => items.Contains(i.Item))
            .Select(i => i with { User = userIds.GetOrAdd(full.Users.IdOf(i.User)), Item = itemIds.GetOrAdd(full.Items.IdOf(i.Item)) })]);
        var split = Splits.Stratified(slice, 0.75, seed: 42);
        var metrics = RankingMetric.RatingsProtocol(10);

        double Ndcg(IRecommenderTrainer trainer) =>
            OfflineEvaluator.Evaluate(trainer.Train(split.Train), split.Test, metrics, 10, split.Train, TimeSpan.Zero).Metrics["nDCG@10"];

        var popularity = Ndcg(new PopularityTrainer());
        var ease = Ndcg(new EaseTrainer(lambda: 200f));

        Assert.True(ease > popularity + 0.05, $"EASE nDCG@10 {ease:F4} vs popularity {popularity:F4}");
    }

    [Fact]
    public void Training_stops_when_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => new EaseTrainer().Train(Baskets, cancellationToken: cancelled.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => new ItemKnnTrainer().Train(Baskets, cancellationToken: cancelled.Token));
    }
}
