using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Cli.Import;

namespace Marketing.Cli.Tests;

public class BeautyAndMovieLensTests
{
    [Fact]
    public void Beauty_rows_become_purchases_in_each_users_sequence_order()
    {
        var plan = new BeautyDataset().Read(TestData.Dir, 1_000, TestData.Now);

        Assert.Equal(1_000, plan.EventStage.RowsRead);
        Assert.Equal(0, plan.EventStage.RejectedRows);
        Assert.Empty(plan.Products);
        Assert.Equal(1_000, plan.Shoppers.Sum(s => s.Events.Count));
        var first = plan.Shoppers[0];
        Assert.Equal("beauty-1", first.UserId);
        Assert.Equal("beauty-1-0", first.Events[0].Event.EventId);
        Assert.Equal("beauty-1", Assert.Single(first.Events[0].Event.Lines).Sku);
        Assert.Equal(BeautyDataset.Epoch, first.Events[0].Event.Timestamp);
        Assert.All(plan.Shoppers, s =>
        {
            var times = s.Events.Select(e => e.Event.Timestamp).ToList();
            Assert.True(times.Zip(times.Skip(1)).All(p => p.First < p.Second), $"{s.UserId}'s purchases are not strictly in time order");
            Assert.All(s.Events, e => Assert.Equal(ShopperEventType.Purchase, e.Event.Type));
        });
    }

    [Fact]
    public void Every_movie_becomes_a_product_with_its_genres()
    {
        var (movies, tally) = MovieLensDataset.ReadMovies(TestData.Dir, null);

        Assert.Equal(1_682, movies.Count);
        Assert.Equal(0, tally.RejectedRows);
        var toyStory = movies[0];
        Assert.Equal("movielens-1", toyStory.Sku);
        Assert.Equal("Toy Story (1995)", toyStory.Input.Title);
        Assert.Equal("Animation", toyStory.Input.Category);
        Assert.Equal("Animation|Childrens|Comedy", toyStory.Input.Attributes["genres"]);
        Assert.Equal("01-Jan-1995", toyStory.Input.Attributes["releaseDate"]);
        var bySku = movies.ToDictionary(m => m.Sku);
        Assert.Equal("Usual Suspects, The (1995)", bySku["movielens-12"].Input.Title);
        Assert.Equal("Misérables, Les (1995)", bySku["movielens-543"].Input.Title);
        Assert.Equal("unknown", bySku["movielens-267"].Input.Category);
    }

    [Fact]
    public void Ratings_become_reviews_with_the_real_rating_and_time()
    {
        var (shoppers, tally) = MovieLensDataset.ReadRatings(TestData.Dir, 1_000, TestData.Now);

        Assert.Equal(1_000, tally.RowsRead);
        Assert.Equal(0, tally.RejectedRows);
        var review = shoppers.Single(s => s.UserId == "movielens-196").Events.Single(e => e.Event.Sku == "movielens-242").Event;
        Assert.Equal(ShopperEventType.Review, review.Type);
        Assert.Equal(3, review.Rating);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(881250949), review.Timestamp);
        Assert.Equal("movielens-196-242", review.EventId);

        var errors = new List<FieldError>();
        foreach (var e in shoppers.SelectMany(s => s.Events))
        {
            ShopperEventValidator.Validate(e.Event, "event", TestData.Now, errors);
        }

        Assert.Empty(errors);
        Assert.All(shoppers, s => Assert.Equal(s.Events.OrderBy(e => e.Event.Timestamp).Select(e => e.Event.EventId), s.Events.Select(e => e.Event.EventId)));
    }

    [Fact]
    public void Events_the_shared_rules_refuse_are_rejected_with_a_grouped_reason()
    {
        var tally = new StageTally("events");
        var collector = new HistoryCollector(tally, TestData.Now);
        collector.Add("u1", new ShopperEvent { EventId = "a", Type = ShopperEventType.Review, Timestamp = TestData.Now, Sku = "s", Rating = 9 }, rows: 1);
        collector.Add("u1", new ShopperEvent { EventId = "b", Type = ShopperEventType.View, Timestamp = TestData.Now.AddDays(2), Sku = "s" }, rows: 1);
        collector.Add("u1", new ShopperEvent { EventId = "c", Type = ShopperEventType.View, Timestamp = TestData.Now.AddDays(3), Sku = "s" }, rows: 1);
        collector.Add("u1", new ShopperEvent { EventId = "d", Type = ShopperEventType.View, Timestamp = TestData.Now, Sku = "s" }, rows: 1);
        collector.Add("u1", new ShopperEvent { EventId = "d", Type = ShopperEventType.View, Timestamp = TestData.Now, Sku = "s" }, rows: 1);

        Assert.Equal(1, tally.Rejected["rating: is required for a review and must be 1 to 5"]);
        Assert.Equal(2, tally.Rejected["timestamp: must be between 1990-01-01 and one hour from now"]);
        Assert.Equal(1, tally.Duplicates);
        Assert.Equal("d", Assert.Single(Assert.Single(collector.Build()).Events).Event.EventId);
    }

    [Fact]
    public void Reasons_group_line_errors_regardless_of_their_index()
    {
        Assert.Equal("lines[].sku: is required", StageTally.Reason(new FieldError("event.lines[3].sku", "is required")));
        Assert.Equal("title: is required", StageTally.Reason(new FieldError("title", "is required")));
    }

    [Fact]
    public void The_data_folder_comes_from_the_option_then_the_environment_then_next_to_the_repository()
    {
        var root = DataPaths.FindRepositoryRoot(AppContext.BaseDirectory);
        Assert.NotNull(root);
        Assert.Equal(Path.GetFullPath("/x/opt"), DataPaths.Resolve("/x/opt", "/x/env", [root]));
        Assert.Equal(Path.GetFullPath("/x/env"), DataPaths.Resolve(null, "/x/env", [root]));
        Assert.Equal(Path.GetFullPath(Path.Combine(root, "..", "shared", "data")), DataPaths.Resolve(null, null, [root]));
    }

    [Fact]
    public void A_missing_dataset_file_names_the_folder_and_how_to_change_it()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new BeautyDataset().Read("/nonexistent-data", 10, TestData.Now));
        Assert.Contains("/nonexistent-data", error.Message);
        Assert.Contains(DataPaths.EnvironmentVariable, error.Message);
    }
}
