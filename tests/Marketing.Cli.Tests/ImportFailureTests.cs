using System.Collections.Immutable;
using Marketing.Abstractions.Products;
using Marketing.Cli.Import;
using Orleans.Runtime.Messaging;

namespace Marketing.Cli.Tests;

/// <summary>An import that lost calls to a silo's death reports them as a few causes, not one row per failed call.</summary>
public sealed class ImportFailureTests
{
    [Fact]
    public void Failures_whose_messages_name_different_grains_and_silos_are_one_row_per_cause_with_a_few_example_skus()
    {
        var tally = new StageTally("products");
        for (var i = 0; i < 180; i++)
        {
            tally.Fail(new SiloUnavailableException($"The target silo became unavailable for message: Request [product/sku-{i}]->[S127.0.0.1:{11111 + (i % 2)}]"), 1, $"sku-{i}");
        }

        for (var i = 180; i < 220; i++)
        {
            tally.Fail(new TimeoutException($"Response did not arrive on time in 00:00:30 for message: Request [product/sku-{i}]"), 1, $"sku-{i}");
        }

        tally.Fail(new ConnectionFailedException("Unable to connect to endpoint S127.0.0.1:11112"), 1, "sku-220");

        Assert.Equal(221, tally.FailedRecords);
        Assert.Equal(["connection refused", "silo unavailable", "timeout"], tally.Failed.Keys.Order());
        var unavailable = tally.Failed["silo unavailable"];
        Assert.Equal(180, unavailable.Records);
        Assert.Equal(["sku-0", "sku-1", "sku-2"], unavailable.Examples);
        Assert.Equal(40, tally.Failed["timeout"].Records);
    }

    [Fact]
    public void A_shoppers_events_that_stopped_count_every_event_once_under_its_user_id()
    {
        var tally = new StageTally("events");

        tally.Fail(new TimeoutException("no answer"), 7, "user-1");
        tally.Fail(new TimeoutException("no answer either"), 5, "user-2");

        var timeout = Assert.Single(tally.Failed.Values);
        Assert.Equal(12, timeout.Records);
        Assert.Equal(2, timeout.Keys);
        Assert.Equal(["user-1", "user-2"], timeout.Examples);
    }

    [Fact]
    public void An_unexpected_failure_is_named_by_its_type_and_keeps_its_first_message()
    {
        var tally = new StageTally("products");

        tally.Fail(new InvalidOperationException("first\nsecond line"), 1, "sku-1");
        tally.Fail(new InvalidOperationException("another"), 1, "sku-2");

        var failure = Assert.Single(tally.Failed.Values);
        Assert.Equal("InvalidOperationException", failure.Cause);
        Assert.Equal("first", failure.FirstMessage);
        Assert.Equal(2, failure.Records);
    }

    [Fact]
    public void A_failure_wrapped_in_an_aggregate_is_named_by_what_it_wraps() =>
        Assert.Equal("silo unavailable", StageTally.Cause(new AggregateException(new SiloUnavailableException("gone"))));
}

/// <summary>An import run again leaves alone the products stored as they are, and only those.</summary>
public sealed class ImportAgainTests
{
    private static readonly ProductInput Input = new()
    {
        Title = "Oat milk ",
        Category = "dairy",
        Price = 2.5m,
        Stock = 3,
        Attributes = ImmutableDictionary<string, string>.Empty.Add("aisle", "milk"),
    };

    private static readonly Product Stored = new()
    {
        Sku = "sku-1",
        Title = "Oat milk",
        Category = "dairy",
        Price = 2.5m,
        Stock = 3,
        Attributes = ImmutableDictionary<string, string>.Empty.Add("aisle", "milk"),
        HasEmbedding = true,
    };

    [Fact]
    public void A_product_stored_as_the_import_has_it_is_left_alone() => Assert.True(ProductRules.IsStoredAs(Input, Stored));

    [Fact]
    public void A_missing_changed_or_unembedded_product_is_upserted()
    {
        Assert.False(ProductRules.IsStoredAs(Input, null));
        Assert.False(ProductRules.IsStoredAs(Input with { Stock = 4 }, Stored));
        Assert.False(ProductRules.IsStoredAs(Input with { Attributes = Input.Attributes.SetItem("aisle", "plant milk") }, Stored));
        Assert.False(ProductRules.IsStoredAs(Input, Stored with { HasEmbedding = false }));
    }
}
