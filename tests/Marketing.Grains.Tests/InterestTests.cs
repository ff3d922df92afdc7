using System.Collections.Immutable;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Shoppers;
using Orleans.Storage;

namespace Marketing.Grains.Tests;

/// <summary>A shopper's interest embedding follows what they touch, fades with time and respects consent.</summary>
[Collection(ClusterCollection.Name)]
public sealed class InterestTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_shopper_who_looks_at_pizzas_and_buys_one_is_into_pizza()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var shopper = NewShopper();
        var pizzas = ShopCatalogue.SkusIn(ShopCatalogue.Pizza).ToList();
        await shopper.Track(
            [.. pizzas.Take(4).Select((sku, i) => ClusterFixture.View($"v{i}", sku)), ClusterFixture.Purchase("p1", "o1", (pizzas[4], 1, 4.99m))],
            EventSource.Import);

        var top = await NearestOursAsync(shopper, 5);

        Assert.All(top, sku => Assert.Equal(ShopCatalogue.Pizza, ShopCatalogue.AisleOf(sku)));
        Assert.True((await shopper.Get()).HasInterestEmbedding);
    }

    [Fact]
    public async Task Recent_interests_outweigh_old_ones()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var shopper = NewShopper();
        var longAgo = DateTimeOffset.UtcNow.AddDays(-120);
        var dogFood = ShopCatalogue.SkusIn(ShopCatalogue.DogFood).Take(5).Select((sku, i) => ClusterFixture.View($"old{i}", sku, longAgo.AddMinutes(i)));
        var shampoo = ShopCatalogue.SkusIn(ShopCatalogue.HairCare).Take(2).Select((sku, i) => ClusterFixture.View($"new{i}", sku));

        // The recent views arrive first and the old ones late: order of arrival must not matter.
        await shopper.Track([.. shampoo], EventSource.Import);
        await shopper.Track([.. dogFood], EventSource.Import);

        var top = await NearestOursAsync(shopper, 3);
        Assert.All(top, sku => Assert.Equal(ShopCatalogue.HairCare, ShopCatalogue.AisleOf(sku)));
    }

    [Fact]
    public async Task A_search_says_what_the_shopper_wants_before_any_product_is_touched()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var shopper = NewShopper();
        await shopper.Track([new ShopperEvent { EventId = "s1", Type = ShopperEventType.Search, Timestamp = DateTimeOffset.UtcNow, Query = "fresh fruit" }], EventSource.Live);

        var top = await NearestOursAsync(shopper, 3);
        Assert.All(top, sku => Assert.Equal(ShopCatalogue.Fruit, ShopCatalogue.AisleOf(sku)));
    }

    [Fact]
    public async Task Refusing_personalisation_forgets_the_interest_and_stops_learning()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var shopper = NewShopper();
        await shopper.Track([ClusterFixture.View("a", ShopCatalogue.Sku(143))], EventSource.Live);
        Assert.NotNull(await Interest(shopper).GetInterestEmbedding());

        await shopper.SetConsent(new ConsentUpdate(Personalisation: false, Marketing: null));
        await shopper.Track([ClusterFixture.View("b", ShopCatalogue.Sku(148))], EventSource.Live);

        Assert.Null(await Interest(shopper).GetInterestEmbedding());
        Assert.False((await shopper.Get()).HasInterestEmbedding);
    }

    [Fact]
    public async Task Bot_traffic_teaches_the_interest_nothing()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var shopper = NewShopper();
        var burst = Enumerable.Range(0, 60).Select(i => ClusterFixture.View($"bot{i}", ShopCatalogue.Sku(21))).ToImmutableArray();

        var result = await shopper.Track(burst, EventSource.Live);

        Assert.True(result.FlaggedAsBot);
        Assert.Null(await Interest(shopper).GetInterestEmbedding());
    }

    [Fact]
    public async Task A_shopper_written_as_its_silo_stops_keeps_its_touches_for_the_next_activation_to_fold()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var shopper = NewShopper();
        var pizzas = ShopCatalogue.SkusIn(ShopCatalogue.Pizza).Take(3).ToList();
        var stopped = DirectoryLoss.Strike(shopper, DeactivationReasonCode.ShuttingDown);
        await shopper.Track([.. pizzas.Select((sku, i) => ClusterFixture.View($"stop{i}", sku))], EventSource.Import);
        await stopped.WaitAsync(TimeSpan.FromSeconds(10));

        // Written on the way out without asking product grains for their vectors: the touches are stored unfolded.
        var stored = new GrainState<ShopperState>(new ShopperState());
        await Storage.ReadStateAsync("shopper", shopper.GetGrainId(), stored);
        Assert.Equal(3, stored.State!.EventCount);
        Assert.Null(stored.State.InterestEmbedding);
        Assert.Equal(3, stored.State.PendingInterest?.Count);

        // The next activation folds them.
        var top = await NearestOursAsync(shopper, 3);
        Assert.All(top, sku => Assert.Equal(ShopCatalogue.Pizza, ShopCatalogue.AisleOf(sku)));
    }

    private IGrainStorage Storage => fixture.GrainStorage;

    private IShopperGrain NewShopper() => fixture.Grains.GetGrain<IShopperGrain>($"interest-{Guid.NewGuid():N}");

    private static IShopperInterest Interest(IShopperGrain shopper) => shopper.AsReference<IShopperInterest>();

    /// <summary>The catalogue products nearest the shopper's interest (other tests' products left out).</summary>
    private async Task<List<string>> NearestOursAsync(IShopperGrain shopper, int count)
    {
        var interest = await Interest(shopper).GetInterestEmbedding();
        Assert.NotNull(interest);
        var results = await fixture.Grains.GetGrain<IProductSearchGrain>(0).Nearest(new VectorQuery(interest.Vector, SearchShards.MaxK, null, false, null, interest.Model));
        var ours = results.Hits.Select(h => h.Sku).Where(s => s.StartsWith("ic-", StringComparison.Ordinal)).Take(count).ToList();
        Assert.Equal(count, ours.Count);
        return ours;
    }
}
