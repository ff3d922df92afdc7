using Marketing.Ml.Search;

namespace Marketing.Ml.Tests;

public sealed class BagOfWordsSearcherTests
{
    [Fact]
    public void Names_sharing_the_rarer_words_rank_first()
    {
        var searcher = new BagOfWordsSearcher(
        [
            ("1", "Organic Whole Milk"),
            ("2", "Organic Bananas"),
            ("3", "Chocolate Milk"),
            ("4", "Organic Chocolate Bar"),
        ]);

        var found = searcher.Search("chocolate milk", 4);

        Assert.Equal("3", found[0].Sku);
        Assert.Equal(1f, found[0].Score, 1e-5f);
        Assert.DoesNotContain(found, m => m.Sku == "2");
        Assert.Empty(searcher.Search("frozen pizza", 4));
    }
}
