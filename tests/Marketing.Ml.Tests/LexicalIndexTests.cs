using Marketing.Ml.Search;

namespace Marketing.Ml.Tests;

/// <summary>BM25 over product text: exact words (brands, SKUs, "gluten free") put their products first.</summary>
public sealed class LexicalIndexTests
{
    private static LexicalIndex Catalogue()
    {
        var index = new LexicalIndex();
        index.Upsert("101", "Organic Whole Wheat Spaghetti dry pasta", "dry pasta", inStock: true);
        index.Upsert("102", "Gluten Free Penne Rigate dry pasta", "dry pasta", inStock: true);
        index.Upsert("103", "Barilla Spaghetti No. 5 dry pasta", "dry pasta", inStock: true);
        index.Upsert("104", "Marinara Pasta Sauce pasta sauce", "pasta sauce", inStock: false);
        index.Upsert("105", "Classic Spaghetti Sauce with Mushrooms pasta sauce", "pasta sauce", inStock: true);
        index.Upsert("106", "Gluten Free Chocolate Chip Cookies cookies cakes", "cookies cakes", inStock: true);
        return index;
    }

    [Theory]
    [InlineData("barilla", "103")]
    [InlineData("Barilla spaghetti", "103")]
    [InlineData("gluten free pasta", "102")]
    [InlineData("105", "105")]
    public void An_exact_brand_phrase_or_sku_match_ranks_first(string query, string expected)
    {
        var found = Catalogue().Search(query, 3);

        Assert.Equal(expected, found[0].Sku);
        Assert.True(found.Count == 1 || found[0].Score > found[1].Score, "the exact match leads, not ties");
    }

    [Fact]
    public void A_product_holding_every_word_beats_one_repeating_a_single_word_and_coverage_says_how_much_matched()
    {
        var index = new LexicalIndex();
        index.Upsert("dirty", "Dirty Potato Chips Dirty Sea Salt", "chips pretzels", inStock: true);
        index.Upsert("detergent", "Laundry Detergent for Dirty Clothes", "laundry", inStock: true);

        var both = index.Search("dirty clothes", 2);
        var unknownWord = index.Search("dirty zzyzx", 2);

        Assert.Equal("detergent", both[0].Sku);
        Assert.Equal(1f, both[0].Coverage, 3);
        Assert.InRange(both[1].Coverage, 0.01f, 0.99f);
        Assert.All(unknownWord, m => Assert.InRange(m.Coverage, 0.01f, 0.6f));
    }

    [Fact]
    public void Plurals_match_their_singular_and_function_words_match_nothing()
    {
        var index = Catalogue();

        Assert.Contains(index.Search("cookie", 5), m => m.Sku == "106");
        Assert.Contains(index.Search("mushroom", 5), m => m.Sku == "105");
        Assert.Empty(index.Search("with the and for", 5));
    }

    [Fact]
    public void Filters_updates_and_removals_change_what_is_found()
    {
        var index = Catalogue();

        Assert.Equal(["105"], index.Search("sauce", 5, new ProductFilter(InStockOnly: true)).Select(m => m.Sku));
        Assert.Equal(["102", "106"], index.Search("gluten", 5, new ProductFilter()).Select(m => m.Sku).Order());
        Assert.Equal(["106"], index.Search("gluten", 5, new ProductFilter("cookies cakes")).Select(m => m.Sku));

        index.Upsert("102", "Brown Rice Penne dry pasta", "dry pasta", inStock: true);
        Assert.True(index.Remove("106"));
        Assert.False(index.Remove("106"));

        Assert.Empty(index.Search("gluten", 5));
        Assert.Equal("102", index.Search("brown rice", 1)[0].Sku);
        Assert.Equal(5, index.Count);
    }

    [Fact]
    public void A_snapshot_of_its_entries_rebuilds_the_same_ranking()
    {
        var index = Catalogue();
        var copy = new LexicalIndex();
        index.ForEach((sku, text, category, inStock) => copy.Upsert(sku, text, category, inStock));

        Assert.Equal(index.Search("gluten free spaghetti", 6), copy.Search("gluten free spaghetti", 6));
    }
}
