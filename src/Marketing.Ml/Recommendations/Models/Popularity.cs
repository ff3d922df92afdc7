using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Recommendations.Models;

/// <summary>Most shoppers first, the same list for everyone: the cold-start fallback and the floor every model must beat.</summary>
public sealed class PopularityTrainer : IRecommenderTrainer
{
    public string Name => "popularity";

    public IRecommender Train(TrainingSet data, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var counts = data.ItemPopularity();
        progress?.Report(1);
        return new PopularityModel([.. counts.Select(c => (float)c)]);
    }

    private sealed class PopularityModel(float[] counts) : IRecommender
    {
        public string Name => "popularity";

        public int ItemCount => counts.Length;

        public void Score(ReadOnlySpan<int> history, Span<float> scores) => counts.CopyTo(scores);
    }
}
