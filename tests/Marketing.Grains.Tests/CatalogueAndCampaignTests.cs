using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Campaigns;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class CatalogueAndCampaignTests(ClusterFixture fixture)
{
    private static ProductInput Input(string title, string category, decimal price = 1m) =>
        new() { Title = title, Category = category, Price = price, Stock = 5 };

    [Fact]
    public async Task Products_are_listed_by_category_and_move_when_their_category_changes()
    {
        var fruit = $"fruit-{Guid.NewGuid():N}";
        var veg = $"veg-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<IProductGrain>("apple-1").Upsert(Input("Apple", fruit));
        await fixture.Grains.GetGrain<IProductGrain>("carrot-1").Upsert(Input("Carrot", fruit));

        await fixture.Grains.GetGrain<IProductGrain>("carrot-1").Upsert(Input("Carrot", veg.ToUpperInvariant()));

        var fruits = await fixture.Grains.GetGrain<ICategoryDirectoryGrain>(fruit).List(0, 10);
        var vegs = await fixture.Grains.GetGrain<ICategoryDirectoryGrain>(ProductRules.CategoryKey(veg)).List(0, 10);
        Assert.Equal(["apple-1"], fruits.Skus.ToArray());
        Assert.Equal(["carrot-1"], vegs.Skus.ToArray());
    }

    [Fact]
    public async Task Many_concurrent_upserts_into_one_category_all_land_and_the_catalogue_counts_them()
    {
        var category = $"bulk-{Guid.NewGuid():N}";

        await Task.WhenAll(Enumerable.Range(0, 150).Select(i =>
            fixture.Grains.GetGrain<IProductGrain>($"{category}-{i}").Upsert(Input($"Item {i}", category))));

        var page = await fixture.Grains.GetGrain<ICategoryDirectoryGrain>(category).List(0, 1000);
        var categories = await fixture.Grains.GetGrain<ICatalogueGrain>("all").Categories();
        Assert.Equal(150, page.Total);
        Assert.Contains(new CategoryCount(category, 150), categories);
    }

    [Fact]
    public async Task Deleting_a_product_removes_it_from_its_category()
    {
        var category = $"del-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>($"{category}-x");
        await product.Upsert(Input("Gone soon", category));

        Assert.True(await product.Delete());

        Assert.Null(await product.Get());
        Assert.Equal(0, (await fixture.Grains.GetGrain<ICategoryDirectoryGrain>(category).List(0, 10)).Total);
    }

    [Fact]
    public async Task A_product_with_a_negative_price_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidInputException>(() =>
            fixture.Grains.GetGrain<IProductGrain>("bad-price").Upsert(Input("Bad", "x", price: -1m)));

        Assert.Contains(error.Errors, e => e.Field == "price");
        Assert.Null(await fixture.Grains.GetGrain<IProductGrain>("bad-price").Get());
    }

    [Fact]
    public async Task Shopper_events_show_up_in_the_product_daily_counters()
    {
        var sku = $"counted-{Guid.NewGuid():N}";
        var shopper = fixture.Grains.GetGrain<IShopperGrain>(Guid.NewGuid().ToString("N"));
        await shopper.Track(
            [ClusterFixture.View("c1", sku), ClusterFixture.View("c2", sku), ClusterFixture.Purchase("c3", "o", (sku, 1, 2m))],
            EventSource.Live);

        DailyProductStats? today = null;
        for (var i = 0; i < 50 && today?.Purchases != 1; i++)
        {
            await Task.Delay(100);
            today = await fixture.Grains.GetGrain<IProductGrain>(sku).GetStats(1) is [var latest, ..] ? latest : null;
        }

        Assert.NotNull(today);
        Assert.Equal((2, 1), (today.Value.Views, today.Value.Purchases));
    }

    [Fact]
    public async Task A_campaign_goes_from_draft_to_active_to_paused_to_ended_and_is_listed()
    {
        var id = $"spring-{Guid.NewGuid():N}";
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>(id);
        var definition = new CampaignDefinition
        {
            Name = "Spring sale",
            Objective = CampaignObjective.Conversion,
            Budget = new CampaignBudget(1000m, 100m, "EUR"),
        };

        Assert.Equal(CampaignStatus.Draft, (await campaign.Define(definition)).Status);
        await Assert.ThrowsAsync<CampaignStateException>(() => campaign.Launch());
        await campaign.Define(definition with { Variants = [new CampaignVariant("a", "A", "20% off", 1)] });
        Assert.Equal(CampaignStatus.Active, (await campaign.Launch()).Status);
        Assert.Equal(CampaignStatus.Paused, (await campaign.Pause()).Status);
        Assert.Equal(CampaignStatus.Ended, (await campaign.End()).Status);
        await Assert.ThrowsAsync<CampaignStateException>(() => campaign.Launch());

        var listed = await fixture.Grains.GetGrain<ICampaignDirectoryGrain>("all").List();
        Assert.Contains(listed, c => c.Id == id && c.Status == CampaignStatus.Ended && c.Name == "Spring sale");
    }

    [Fact]
    public async Task A_campaign_with_a_daily_cap_above_its_budget_is_refused()
    {
        var campaign = fixture.Grains.GetGrain<ICampaignGrain>($"bad-{Guid.NewGuid():N}");

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => campaign.Define(new CampaignDefinition
        {
            Name = "Too much",
            Budget = new CampaignBudget(10m, 50m, "EUR"),
            Variants = ImmutableArray<CampaignVariant>.Empty,
        }));

        Assert.Contains(error.Errors, e => e.Field == "budget.dailyCap");
        Assert.Null(await campaign.Get());
    }
}
