using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Recommendations;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Tests.Recommendations;

/// <summary>Recommendations follow a shopper's latest events, respect consent and explain themselves.</summary>
[Collection(RecommendationCollection.Name)]
public sealed class RecommendationTests(RecommendationClusterFixture fixture)
{
    [Fact]
    public async Task A_shopper_who_views_a_few_products_gets_recommendations_that_move_towards_them_on_the_next_request()
    {
        var shopper = $"follow-{Guid.NewGuid():N}";
        var pizzas = ShopCatalogue.SkusIn(ShopCatalogue.Pizza).ToList();
        var shampoos = ShopCatalogue.SkusIn(ShopCatalogue.HairCare).ToList();

        var before = await RecommendAsync(shopper);
        Assert.False(before.Personalised);

        // A month ago, so that the views of the second step, now, weigh four times as much in the interest.
        var monthAgo = DateTimeOffset.UtcNow.AddDays(-28);
        await Shopper(shopper).Track([.. pizzas.Take(3).Select((sku, i) => ClusterFixture.View($"p{i}", sku, monthAgo.AddMinutes(i)))], EventSource.Live);
        var afterPizza = await RecommendAsync(shopper);

        Assert.True(afterPizza.Personalised);
        // Other tests' views make some products popular and trending: the shopper's own views must still pull theirs up.
        static int Top5(RecommendationList list, string aisle) => list.Items.Take(5).Count(i => i.Category == aisle);
        Assert.True(Top5(afterPizza, ShopCatalogue.Pizza) >= 2 && Top5(afterPizza, ShopCatalogue.Pizza) > Top5(before, ShopCatalogue.Pizza));
        Assert.DoesNotContain(afterPizza.Items, item => pizzas.Take(3).Contains(item.Sku));
        Assert.Contains(afterPizza.Items, item => item.Reason.Text.StartsWith("Because you viewed", StringComparison.Ordinal));

        await Shopper(shopper).Track([.. shampoos.Take(3).Select((sku, i) => ClusterFixture.View($"h{i}", sku, DateTimeOffset.UtcNow.AddSeconds(1)))], EventSource.Live);
        var afterShampoo = await RecommendAsync(shopper);

        Assert.True(Top5(afterShampoo, ShopCatalogue.HairCare) >= 2 && Top5(afterShampoo, ShopCatalogue.HairCare) > Top5(afterPizza, ShopCatalogue.HairCare));
        Assert.DoesNotContain(afterShampoo.Items, item => shampoos.Take(3).Contains(item.Sku));
    }

    [Fact]
    public async Task Products_bought_together_are_recommended_together_on_every_silo()
    {
        var (a, b) = ($"cp-a-{Guid.NewGuid():N}", $"cp-b-{Guid.NewGuid():N}");
        await UpsertAsync(a, "Ground coffee", "coffee");
        await UpsertAsync(b, "Paper coffee filters", "kitchen supplies");
        foreach (var order in Enumerable.Range(0, 2))
        {
            await Shopper($"buyer-{Guid.NewGuid():N}").Track([ClusterFixture.Purchase($"o{order}", $"order-{order}", (a, 1, 5m), (b, 1, 2m))], EventSource.Live);
        }

        // Each silo learns the orders: the one that acknowledged them at once, the other through the log.
        foreach (var statistics in fixture.Statistics)
        {
            var with = await Eventually.WaitForAsync(() => Task.FromResult(statistics.BoughtWith(a, 10)), l => l.Count > 0);
            Assert.Equal(b, Assert.Single(with).Sku);
        }

        var alsoBought = await fixture.Grains.GetGrain<IRecommendationGrain>(0).AlsoBought(a, 5);
        var item = Assert.Single(alsoBought.Items);
        Assert.Equal(b, item.Sku);
        Assert.Equal("Bought together with Ground coffee", item.Reason.Text);

        // A shopper with the coffee in the cart is offered the filters, with the reason.
        var shopper = $"cart-{Guid.NewGuid():N}";
        await Shopper(shopper).Track([new ShopperEvent { EventId = "c1", Type = ShopperEventType.AddToCart, Timestamp = DateTimeOffset.UtcNow, Sku = a, Quantity = 1 }], EventSource.Live);
        var cart = await fixture.Grains.GetGrain<IRecommendationGrain>(0).Recommend(new RecommendationRequest(shopper, 10, RecommendationContext.Cart, null));
        var filters = Assert.Single(cart.Items, i => i.Sku == b);
        Assert.Equal("bought-together", filters.Reason.Kind);
        Assert.DoesNotContain(cart.Items, i => i.Sku == a);
    }

    [Fact]
    public async Task An_erased_shopper_leaves_no_trace_in_any_list_on_any_silo()
    {
        var (a, b) = ($"er-a-{Guid.NewGuid():N}", $"er-b-{Guid.NewGuid():N}");
        await UpsertAsync(a, "Sourdough loaf", "bakery");
        await UpsertAsync(b, "Salted butter", "dairy");
        var erased = Shopper($"erased-{Guid.NewGuid():N}");
        await erased.Track([ClusterFixture.Purchase("o1", "order-1", (a, 1, 4m), (b, 1, 3m))], EventSource.Live);
        foreach (var statistics in fixture.Statistics)
        {
            await Eventually.WaitForAsync(() => Task.FromResult(statistics.BoughtWith(a, 10)), l => l.Count > 0);
        }

        await erased.Erase();

        foreach (var statistics in fixture.Statistics)
        {
            var left = await Eventually.WaitForAsync(
                () => Task.FromResult((statistics.BoughtWith(a, 10), statistics.Popular(1_000))),
                l => l.Item1.Count == 0 && !l.Item2.Any(p => p.Sku == a || p.Sku == b));
            Assert.Empty(left.Item1);
            Assert.DoesNotContain(left.Item2, p => p.Sku == a || p.Sku == b);
        }

        Assert.Empty((await fixture.Grains.GetGrain<IRecommendationGrain>(0).AlsoBought(a, 10)).Items);
        Assert.False((await RecommendAsync(erased.GetPrimaryKeyString())).Personalised);
    }

    [Fact]
    public async Task A_shopper_without_personalisation_consent_gets_the_non_personalised_list()
    {
        var shopper = $"no-consent-{Guid.NewGuid():N}";
        await Shopper(shopper).Track([.. ShopCatalogue.SkusIn(ShopCatalogue.DogFood).Take(3).Select((sku, i) => ClusterFixture.View($"d{i}", sku))], EventSource.Live);
        Assert.True((await RecommendAsync(shopper)).Personalised);

        await Shopper(shopper).SetConsent(new ConsentUpdate(Personalisation: false, Marketing: null));
        var refused = await RecommendAsync(shopper);
        var unknown = await RecommendAsync($"never-seen-{Guid.NewGuid():N}");

        Assert.False(refused.Personalised);
        Assert.Equal(unknown.Items.Select(i => i.Sku), refused.Items.Select(i => i.Sku));
        Assert.DoesNotContain(refused.Items, i => i.Reason.Kind is "interest" or "bought-together" or "next-item");
    }

    [Fact]
    public async Task Every_item_carries_a_reason_and_out_of_stock_products_are_left_out()
    {
        var (a, gone) = ($"st-a-{Guid.NewGuid():N}", $"st-gone-{Guid.NewGuid():N}");
        await UpsertAsync(a, "Oat milk", "dairy alternatives");
        await UpsertAsync(gone, "Oat milk barista edition", "dairy alternatives", stock: 0);
        await Shopper($"oat-{Guid.NewGuid():N}").Track([ClusterFixture.Purchase("o1", "order-1", (a, 1, 2m), (gone, 1, 2m))], EventSource.Live);

        var page = await Eventually.WaitForAsync(
            () => fixture.Grains.GetGrain<IRecommendationGrain>(0).Recommend(new RecommendationRequest(null, 20, RecommendationContext.Product, a)),
            l => l.Items.Length > 0);

        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, i => Assert.False(string.IsNullOrWhiteSpace(i.Reason.Text)));
        Assert.DoesNotContain(page.Items, i => i.Sku == gone || i.Sku == a);
        Assert.Empty((await fixture.Grains.GetGrain<IRecommendationGrain>(0).AlsoBought(a, 10)).Items);
    }

    [Fact]
    public async Task Bad_input_names_the_field()
    {
        var grain = fixture.Grains.GetGrain<IRecommendationGrain>(0);
        var k = await Assert.ThrowsAsync<Abstractions.InvalidInputException>(() => grain.Recommend(new RecommendationRequest(null, 0, RecommendationContext.Home, null)));
        Assert.Equal("k", Assert.Single(k.Errors).Field);
        var sku = await Assert.ThrowsAsync<UnknownProductException>(() => grain.Recommend(new RecommendationRequest(null, 5, RecommendationContext.Product, "no-such-sku")));
        Assert.Equal("sku", sku.Field);
    }

    private IShopperGrain Shopper(string id) => fixture.Grains.GetGrain<IShopperGrain>(id);

    private Task<RecommendationList> RecommendAsync(string shopper) =>
        fixture.Grains.GetGrain<IRecommendationGrain>(0).Recommend(new RecommendationRequest(shopper, 10, RecommendationContext.Home, null));

    private Task<Product> UpsertAsync(string sku, string title, string category, int stock = 10) =>
        fixture.Grains.GetGrain<IProductGrain>(sku).Upsert(new ProductInput { Title = title, Category = category, Price = 2m, Stock = stock });
}
