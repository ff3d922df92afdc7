using System.Numerics.Tensors;
using Marketing.Ml.Search;

namespace Marketing.Ml.Tests;

public sealed class ProductVectorIndexTests
{
    private const int Dimensions = 384;

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void Top_k_is_the_same_as_scoring_every_product_exactly(int k)
    {
        var (index, vectors) = RandomIndex(20_000, seed: 7);
        var random = new Random(11);
        for (var q = 0; q < 20; q++)
        {
            var query = UnitVector(random);

            var found = index.Search(query, k);

            var expected = BruteForce(vectors, query, k, _ => true);
            Assert.Equal(expected.Select(e => e.Sku), found.Select(f => f.Sku));
            Assert.All(found.Zip(expected), pair => Assert.Equal(pair.Second.Score, pair.First.Score, 1e-5f));
        }
    }

    [Fact]
    public void Filters_return_only_products_of_the_category_that_are_in_stock()
    {
        var (index, vectors) = RandomIndex(20_000, seed: 3);
        var query = UnitVector(new Random(5));

        var inCategory = index.Search(query, 10, new ProductFilter(Category: "aisle-7"));
        var inStock = index.Search(query, 10, new ProductFilter(InStockOnly: true));
        var both = index.Search(query, 10, new ProductFilter("aisle-7", InStockOnly: true));

        Assert.Equal(BruteForce(vectors, query, 10, i => i % 50 == 7).Select(e => e.Sku), inCategory.Select(m => m.Sku));
        Assert.Equal(BruteForce(vectors, query, 10, i => i % 3 != 0).Select(e => e.Sku), inStock.Select(m => m.Sku));
        Assert.Equal(BruteForce(vectors, query, 10, i => i % 50 == 7 && i % 3 != 0).Select(e => e.Sku), both.Select(m => m.Sku));
        Assert.Empty(index.Search(query, 10, new ProductFilter(Category: "no such aisle")));
    }

    [Fact]
    public void Removed_products_are_never_returned_and_the_others_keep_their_own_vectors()
    {
        var (index, vectors) = RandomIndex(5_000, seed: 9);

        Assert.True(index.Remove("sku-42"));
        Assert.False(index.Remove("sku-42"));

        Assert.Equal(4_999, index.Count);
        Assert.False(index.Contains("sku-42"));
        Assert.DoesNotContain(index.Search(vectors[42], 100), m => m.Sku == "sku-42");
        // The last product took the removed one's slot: it must still be found by its own vector.
        var moved = index.Search(vectors[4_999], 1).Single();
        Assert.Equal("sku-4999", moved.Sku);
        Assert.Equal(1f, moved.Score, 1e-4f);
    }

    [Fact]
    public void Upsert_replaces_the_vector_and_stock_changes_apply_to_filters()
    {
        var (index, vectors) = RandomIndex(1_000, seed: 1);
        index.Upsert("sku-1", vectors[2], "aisle-1", inStock: true);

        Assert.Equal(1_000, index.Count);
        Assert.Equal(["sku-1", "sku-2"], index.Search(vectors[2], 2).Select(m => m.Sku).Order());

        Assert.True(index.SetInStock("sku-1", false));
        Assert.Equal("sku-2", index.Search(vectors[2], 1, new ProductFilter(InStockOnly: true)).Single().Sku);
    }

    [Fact]
    public void Wrong_dimensions_and_k_out_of_range_are_refused()
    {
        using var index = new ProductVectorIndex(Dimensions);

        Assert.Throws<ArgumentException>(() => index.Upsert("a", new float[3], "x", true));
        Assert.Throws<ArgumentException>(() => index.Search(new float[3], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new float[Dimensions], 101));
        Assert.Empty(index.Search(new float[Dimensions], 10));
    }

    private static (ProductVectorIndex Index, float[][] Vectors) RandomIndex(int count, int seed)
    {
        var random = new Random(seed);
        var index = new ProductVectorIndex(Dimensions, maxDegreeOfParallelism: 2);
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = UnitVector(random);
            index.Upsert($"sku-{i}", vectors[i], $"aisle-{i % 50}", inStock: i % 3 != 0);
        }

        return (index, vectors);
    }

    private static (string Sku, float Score)[] BruteForce(float[][] vectors, float[] query, int k, Func<int, bool> include) =>
        [.. vectors.Select((v, i) => (Sku: $"sku-{i}", Score: TensorPrimitives.Dot(v, query), Index: i))
            .Where(e => include(e.Index))
            .OrderByDescending(e => e.Score)
            .Take(k)
            .Select(e => (e.Sku, e.Score))];

    private static float[] UnitVector(Random random)
    {
        var v = new float[Dimensions];
        for (var i = 0; i < v.Length; i++)
        {
            // Sum of uniforms: roughly Gaussian, so directions are spread evenly.
            v[i] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
        }

        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }
}
