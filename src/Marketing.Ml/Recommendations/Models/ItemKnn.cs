using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Recommendations.Models;

/// <summary>
/// Item-based k-nearest neighbours: cosine similarity between items' sets of shoppers, each item keeping its
/// <see cref="Neighbours"/> closest; a shopper's score for an item is the summed similarity from what they had.
/// </summary>
public sealed class ItemKnnTrainer(int neighbours = 100) : IRecommenderTrainer
{
    public string Name => "item-knn";

    public int Neighbours { get; } = neighbours;

    public IRecommender Train(TrainingSet data, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var n = data.ItemCount;
        var users = data.Histories.Select(h => h.Distinct().ToArray()).ToArray();
        var byItem = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            byItem[i] = [];
        }

        for (var u = 0; u < users.Length; u++)
        {
            foreach (var item in users[u])
            {
                byItem[item].Add(u);
            }
        }

        var neighbourItems = new int[n][];
        var neighbourWeights = new float[n][];
        var done = 0;
        Parallel.For(0, n, new ParallelOptions { CancellationToken = cancellationToken }, () => new float[n], (i, _, overlap) =>
        {
            // Co-occurrence of item i with every other item, through the shoppers who had i.
            Array.Clear(overlap);
            foreach (var u in byItem[i])
            {
                foreach (var j in users[u])
                {
                    overlap[j] += 1;
                }
            }

            overlap[i] = 0;
            var top = new Search.TopK(Math.Max(1, Math.Min(Neighbours, n)));
            for (var j = 0; j < n; j++)
            {
                if (overlap[j] > 0)
                {
                    top.Offer(overlap[j] / MathF.Sqrt((float)byItem[i].Count * byItem[j].Count), j);
                }
            }

            var sorted = top.Sorted();
            neighbourItems[i] = [.. sorted.Select(s => s.Row)];
            neighbourWeights[i] = [.. sorted.Select(s => s.Score)];
            if (Interlocked.Increment(ref done) % 256 == 0)
            {
                progress?.Report(done / (double)n);
            }

            return overlap;
        }, _ => { });
        progress?.Report(1);
        return new ItemKnnModel(neighbourItems, neighbourWeights);
    }

    private sealed class ItemKnnModel(int[][] items, float[][] weights) : IRecommender
    {
        public string Name => "item-knn";

        public int ItemCount => items.Length;

        public void Score(ReadOnlySpan<int> history, Span<float> scores)
        {
            scores.Clear();
            foreach (var h in history)
            {
                var neighbours = items[h];
                var w = weights[h];
                for (var k = 0; k < neighbours.Length; k++)
                {
                    scores[neighbours[k]] += w[k];
                }
            }
        }
    }
}
