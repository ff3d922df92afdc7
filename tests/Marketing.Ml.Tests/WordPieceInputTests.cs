using Marketing.Ml.Embeddings;

namespace Marketing.Ml.Tests;

public sealed class WordPieceInputTests
{
    private static readonly string VocabPath = Path.Combine(AppContext.BaseDirectory, EncoderOptions.DefaultModelFolder, "vocab.txt");
    private static readonly string[] Vocabulary = File.ReadAllLines(VocabPath);
    private static readonly WordPieceInput Input = new(VocabPath, lowerCase: true, maxTokens: 256);

    [Theory]
    [InlineData("Currant + Mint Lamb Bar", "[CLS] curran ##t + mint lamb bar [SEP]")]
    [InlineData("Brut Rosé", "[CLS] br ##ut rose [SEP]")]
    [InlineData("Vitamin D3 1000 IU", "[CLS] vitamin d ##3 1000 i ##u [SEP]")]
    [InlineData("ORGANIC Bananas", "[CLS] organic bananas [SEP]")]
    [InlineData("Whiskas® Temptations", "[CLS] w ##his ##kas ##® temptation ##s [SEP]")]
    public void Text_is_split_as_the_uncased_BERT_tokenizer_splits_it(string text, string expected)
    {
        var pieces = string.Join(' ', Input.Encode(text).Select(id => Vocabulary[id]));

        Assert.Equal(expected, pieces);
    }

    [Fact]
    public void Long_text_is_cut_to_the_token_limit_and_still_closed_with_a_separator()
    {
        var text = string.Concat(Enumerable.Repeat("fresh organic bananas, ", 400));

        var ids = Input.Encode(text);

        Assert.Equal(256, ids.Length);
        Assert.Equal("[CLS]", Vocabulary[ids[0]]);
        Assert.Equal("[SEP]", Vocabulary[ids[^1]]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n ")]
    public void Empty_or_whitespace_text_is_refused(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => Input.Encode(text));
        Assert.Contains("non-whitespace", error.Message, StringComparison.Ordinal);
    }
}
