using Marketing.Ml.Support;

namespace Marketing.Ml.Tests.Support;

/// <summary>The classifier on a slice of BANKING77 (the full set trains in minutes: that is the CLI's evaluation).</summary>
[Collection(EncoderCollection.Name)]
public sealed class TextClassifierTests(EncoderFixture fixture)
{
    private static readonly string Banking = Path.Combine(InstacartCatalogue.DataFolder, "banking77");

    [Fact]
    public async Task Both_views_together_beat_guessing_by_far_on_a_slice_of_banking77()
    {
        var (train, test) = Slice(intents: 8, trainPerIntent: 25, testPerIntent: 10);
        var trainVectors = await fixture.Encoder.EncodeBatchAsync([.. train.Select(t => t.Text)]);
        var testVectors = await fixture.Encoder.EncodeBatchAsync([.. test.Select(t => t.Text)]);

        var classifier = TextClassifier.Train(train, trainVectors, new TextClassifierOptions { Training = new SoftmaxTrainingOptions { Epochs = 10 } });
        var predicted = test.Select((t, i) => classifier.Predict(t.Text, testVectors[i]).Label).ToList();
        var score = ClassificationScore.Of([.. test.Select(t => t.Label)], predicted);

        // 8 intents: guessing gets 12.5%; the full set's accuracy is in docs/performance.md.
        Assert.True(score.Accuracy >= 0.85, $"accuracy {score.Accuracy:P1}, macro-F1 {score.MacroF1:P1}");
    }

    [Fact]
    public void Scores_count_every_class_in_the_macro_average()
    {
        var score = ClassificationScore.Of(["a", "a", "b", "b"], ["a", "a", "a", "a"]);

        Assert.Equal(0.5, score.Accuracy);
        // a: 2 right of 2, 4 predicted: F1 2·2/(2+4); b: never predicted: 0.
        Assert.Equal((2.0 / 3 + 0.0) / 2, score.MacroF1, 6);
    }

    private static (List<LabelledText> Train, List<LabelledText> Test) Slice(int intents, int trainPerIntent, int testPerIntent)
    {
        var train = Read("train.csv");
        var chosen = train.Select(t => t.Label).Distinct().Order(StringComparer.Ordinal).Where((_, i) => i % 9 == 0).Take(intents).ToHashSet();
        return ([.. train.Where(t => chosen.Contains(t.Label)).GroupBy(t => t.Label).SelectMany(g => g.Take(trainPerIntent))],
            [.. Read("test.csv").Where(t => chosen.Contains(t.Label)).GroupBy(t => t.Label).SelectMany(g => g.Take(testPerIntent))]);
    }

    private static List<LabelledText> Read(string file) =>
        [.. InstacartCatalogue.ReadCsv(Path.Combine(Banking, file)).Where(row => row.Length == 2).Select(row => new LabelledText(row[0], row[1]))];
}
