using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Tests.Recommendations;

public sealed class InteractionLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("loader-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Ratings_and_sequences_load_into_dense_indexes_in_order()
    {
        var ratings = Write("r.csv", "user_id,item_id,rating,timestamp\nA,x,5,30\nA,y,3,10\nB,x,4,20\n");
        var sequences = Write("s.csv", "user_id,item_id,seq_pos\n1,7,1\n1,8,0\n");

        var data = InteractionLoader.Load(ratings, InteractionFormat.Ratings);
        var seq = InteractionLoader.Load(sequences, InteractionFormat.Sequences);

        Assert.Equal((2, 2), (data.UserCount, data.ItemCount));
        Assert.Equal(["y", "x"], data.ByUser()[0].Select(i => data.Items.IdOf(i.Item)));
        Assert.Equal(["8", "7"], seq.ByUser()[0].Select(i => seq.Items.IdOf(i.Item)));
        Assert.Equal(InteractionFormat.Sequences, InteractionLoader.DetectFormat(sequences));
    }

    [Fact]
    public void Missing_columns_and_bad_numbers_are_named()
    {
        var wrong = Write("w.csv", "user,item,score\n1,2,3\n");
        var bad = Write("b.csv", "user_id,item_id,seq_pos\n1,2,first\n");

        var missing = Assert.Throws<InvalidDataException>(() => InteractionLoader.Load(wrong, InteractionFormat.Ratings));
        Assert.Contains("user_id,item_id,rating,timestamp", missing.Message);
        Assert.Null(InteractionLoader.DetectFormat(wrong));
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => InteractionLoader.Load(bad, InteractionFormat.Sequences)).Message);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }
}
