using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Grains.Search;

namespace Marketing.Grains.Tests;

/// <summary>Semantic search through the grains: products embedded on upsert, sharded index, filters, similar products.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SearchTests(ClusterFixture fixture)
{
    private IProductSearchGrain Search => fixture.Grains.GetGrain<IProductSearchGrain>(0);

    [Theory]
    [InlineData("fruit", ShopCatalogue.Fruit)]
    [InlineData("pizza for dinner", ShopCatalogue.Pizza)]
    [InlineData("shampoo and conditioner", ShopCatalogue.HairCare)]
    [InlineData("something for my dog", ShopCatalogue.DogFood)]
    public async Task A_query_in_a_shoppers_words_finds_the_right_aisle_first(string query, string aisle)
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);

        var results = await Search.Search(new SearchRequest(query, SearchShards.MaxK, null, false));

        // Other tests add products too; judge the ranking of this catalogue's products among all hits.
        var ours = results.Hits.Where(h => h.Sku.StartsWith("ic-", StringComparison.Ordinal)).Take(5).ToList();
        Assert.Equal(5, ours.Count);
        Assert.All(ours, h => Assert.Equal(aisle, h.Category));
        Assert.True(results.Hits.Zip(results.Hits.Skip(1)).All(p => p.First.Score >= p.Second.Score), "hits are best first");
    }

    [Fact]
    public async Task Category_and_in_stock_filters_narrow_the_results()
    {
        var category = $"pizza-{Guid.NewGuid():N}";
        var products = fixture.Grains;
        await products.GetGrain<IProductGrain>($"{category}-a").Upsert(new ProductInput { Title = "Thin & Crispy Crust Pepperoni Pizza", Category = category, Stock = 3 });
        await products.GetGrain<IProductGrain>($"{category}-b").Upsert(new ProductInput { Title = "Stuffed Crust Five Cheese Pizza", Category = category, Stock = 0 });

        var inCategory = await Search.Search(new SearchRequest("cheese pizza", 10, category.ToUpperInvariant(), false));
        var inStock = await Search.Search(new SearchRequest("cheese pizza", 10, category, true));

        Assert.Equal([$"{category}-b", $"{category}-a"], inCategory.Hits.Select(h => h.Sku));
        Assert.Equal([$"{category}-a"], inStock.Hits.Select(h => h.Sku));
        Assert.Equal(3, inStock.Hits[0].Stock);
    }

    [Fact]
    public async Task A_product_whose_text_changes_is_found_by_its_new_text_and_a_deleted_one_not_at_all()
    {
        var category = $"changing-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>($"{category}-1");
        var neighbour = fixture.Grains.GetGrain<IProductGrain>($"{category}-2");
        await neighbour.Upsert(new ProductInput { Title = "Chicken Meatballs Dog Treats", Category = category, Stock = 1 });
        var stored = await product.Upsert(new ProductInput { Title = "Organic Lemons", Category = category, Stock = 1 });
        Assert.True(stored.HasEmbedding);
        // Dense: the test compares cosines before and after the text changes.
        var asLemons = await Search.Search(new SearchRequest("hair conditioner", 2, category, false, SearchMode.Dense));

        await product.Upsert(new ProductInput { Title = "Moisture Rich Sweet Orange & Argan Conditioner", Category = category, Stock = 1 });
        var afterChange = await Search.Search(new SearchRequest("hair conditioner", 2, category, false, SearchMode.Dense));

        Assert.Equal($"{category}-1", afterChange.Hits[0].Sku);
        Assert.Equal("Moisture Rich Sweet Orange & Argan Conditioner", afterChange.Hits[0].Title);
        var before = asLemons.Hits.Single(h => h.Sku == $"{category}-1").Score;
        Assert.True(afterChange.Hits[0].Score > before + 0.2f, $"re-embedded: score {afterChange.Hits[0].Score:F2} against {before:F2} as lemons");

        Assert.True(await product.Delete());
        var afterDelete = await Search.Search(new SearchRequest("hair conditioner", 10, category, false));
        Assert.Equal([$"{category}-2"], afterDelete.Hits.Select(h => h.Sku));
        Assert.Null(await Search.Similar($"{category}-1", 5, null, false));
    }

    [Fact]
    public async Task Similar_products_share_the_aisle_and_leave_the_product_itself_out()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var pizza = ShopCatalogue.Sku(269);

        var similar = await Search.Similar(pizza, SearchShards.MaxK, null, false);

        Assert.NotNull(similar);
        Assert.DoesNotContain(similar.Hits, h => h.Sku == pizza);
        var ours = similar.Hits.Where(h => h.Sku.StartsWith("ic-", StringComparison.Ordinal)).Take(4).ToList();
        Assert.All(ours, h => Assert.Equal(ShopCatalogue.Pizza, h.Category));
    }

    [Fact]
    public async Task Every_upserted_product_is_in_exactly_one_shard()
    {
        await ShopCatalogue.EnsureLoadedAsync(fixture.Grains);
        var embedding = await fixture.Grains.GetGrain<IProductEmbedding>(ShopCatalogue.Sku(143)).GetTextEmbedding();
        Assert.NotNull(embedding);

        var hits = await Task.WhenAll(Enumerable.Range(0, 8).Select(s => fixture.Grains.GetGrain<IProductIndexGrain>(s)
            .Search(new VectorQuery(embedding.Vector, 1, ShopCatalogue.Fruit, false, null, embedding.Model))));

        var holder = Assert.Single(hits.Select((h, shard) => (h, shard)), x => x.h.Any(m => m.Sku == ShopCatalogue.Sku(143)));
        Assert.Equal(SearchShards.Of(ShopCatalogue.Sku(143), 8), holder.shard);
        Assert.Equal(1f, holder.h[0].Score, 3);
    }

    [Fact]
    public async Task A_shard_snapshots_a_new_product_once_changes_stop_not_a_minute_later()
    {
        // The fixture's quiet period is 1 s and the snapshot interval the default 60 s (written 45-75 s after a change).
        var sku = $"quiet-{Guid.NewGuid():N}";
        var product = fixture.Grains.GetGrain<IProductGrain>(sku);
        await product.Upsert(new ProductInput { Title = "Galvanised steel door hinge", Category = $"hardware-{sku}", Stock = 3 });
        var shard = fixture.Grains.GetGrain<IProductIndexGrain>(SearchShards.Of(sku, 8));
        var snapshot = new GrainState<ProductIndexState>(new ProductIndexState());
        var mark = new GrainState<ProductIndexMark>(new ProductIndexMark());
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            do
            {
                await Task.Delay(250);
                await fixture.GrainStorage.ReadStateAsync("product-index", shard.GetGrainId(), snapshot);
                await fixture.GrainStorage.ReadStateAsync("product-index-mark", shard.GetGrainId(), mark);
            }
            while ((snapshot.State?.Parts.Any(p => p.Skus.Contains(sku)) != true || mark.State?.SnapshotBehind != false) && DateTime.UtcNow < deadline);

            Assert.Contains(sku, snapshot.State?.Parts.SelectMany(p => p.Skus) ?? []);
            Assert.False(mark.State?.SnapshotBehind ?? true, "the snapshot holds every change, so a crash now would need no repair");
        }
        finally
        {
            await product.Delete();
        }
    }

    [Fact]
    public async Task A_word_only_one_product_holds_finds_it_first_in_hybrid_and_lexical_search_also_after_its_shard_restarts()
    {
        // A made-up brand: the encoder has no meaning for it, only its letters.
        var brand = $"zq{Guid.NewGuid():N}"[..12];
        var sku = $"brand-{brand}";
        await fixture.Grains.GetGrain<IProductGrain>(sku).Upsert(new ProductInput { Title = $"{brand} Crunchy Oat Clusters", Category = "cereal", Stock = 3 });
        var shard = fixture.Grains.GetGrain<IProductIndexGrain>(SearchShards.Of(sku, 8));

        var hybrid = await Search.Search(new SearchRequest(brand, 5, null, false));
        var dense = await Search.Search(new SearchRequest($"{brand} cereal", 5, null, false, SearchMode.Dense));
        await fixture.Grains.GetGrain<IWriteBehindGrain>(shard.GetGrainId()).FlushWriteBehind();
        await fixture.Cluster.DeactivateAsync(shard);
        var lexical = await Search.Search(new SearchRequest(brand.ToUpperInvariant(), 5, null, false, SearchMode.Lexical));

        Assert.Equal(sku, hybrid.Hits[0].Sku);
        Assert.True(dense.Hits.Length == 5, "dense search answers too (its ranking of a made-up word is anyone's guess)");
        Assert.Equal(sku, Assert.Single(lexical.Hits).Sku);
        Assert.Equal(0, lexical.EmbedMilliseconds);
    }

    [Fact]
    public async Task A_search_mode_outside_the_three_is_refused_naming_the_field()
    {
        var error = await Assert.ThrowsAsync<InvalidInputException>(() => Search.Search(new SearchRequest("pizza", 5, null, false, (SearchMode)7)));
        Assert.Contains(error.Errors, e => e.Field == "mode");
    }

    [Theory]
    [InlineData("", 10, "q")]
    [InlineData("pizza", 0, "k")]
    [InlineData("pizza", 101, "k")]
    public async Task A_bad_search_is_refused_naming_the_field(string query, int k, string field)
    {
        var error = await Assert.ThrowsAsync<InvalidInputException>(() => Search.Search(new SearchRequest(query, k, null, false)));
        Assert.Contains(error.Errors, e => e.Field == field);
    }
}
