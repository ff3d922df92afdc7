using Marketing.Ml.Support;

namespace Marketing.Ml.Tests.Support;

[Collection(EncoderCollection.Name)]
public sealed class SentimentTests(EncoderFixture fixture)
{
    private static Task<SentimentAnalyzer>? _analyzer;

    [Theory]
    [InlineData("this is outrageous, my order is broken and nobody answers me")]
    [InlineData("I am so angry with how you treated me")]
    [InlineData("dreadful, the worst shop I have ever used")]
    public async Task A_clearly_negative_message_scores_negative(string text)
    {
        var analyzer = await Analyzer();

        var sentiment = await analyzer.AnalyzeAsync(text);

        Assert.Equal(SentimentAnalyzer.Negative, sentiment.Label);
        Assert.True(sentiment.Score < -0.2f, $"score {sentiment.Score:F2}");
    }

    [Theory]
    [InlineData("thanks a million, you sorted it out so quickly")]
    [InlineData("I'm delighted with the new boots")]
    public async Task A_clearly_positive_message_scores_positive(string text)
    {
        var analyzer = await Analyzer();

        var sentiment = await analyzer.AnalyzeAsync(text);

        Assert.Equal(SentimentAnalyzer.Positive, sentiment.Label);
        Assert.True(sentiment.Score > 0.2f, $"score {sentiment.Score:F2}");
    }

    [Fact]
    public async Task A_plain_question_is_neither()
    {
        var analyzer = await Analyzer();

        var sentiment = await analyzer.AnalyzeAsync("which sizes does the grey hoodie come in");

        Assert.Equal("neutral", sentiment.Label);
    }

    private Task<SentimentAnalyzer> Analyzer() => _analyzer ??= SentimentAnalyzer.ForShopAsync(fixture.Encoder);
}
