namespace Marketing.Ml.Recommendations.Models;

/// <summary>Dense item × item sums of weighted co-occurrence (XᵀY for sparse rows), built row by row.</summary>
internal static class GramMatrix
{
    /// <summary>Adds scale · x xᵀ for one sparse row x (items with weights; a repeated item keeps its largest weight).</summary>
    public static void AddOuter(float[] target, int n, ReadOnlySpan<int> items, ReadOnlySpan<float> weights, float scale)
    {
        for (var a = 0; a < items.Length; a++)
        {
            var row = (long)items[a] * n;
            var wa = scale * weights[a];
            for (var b = 0; b < items.Length; b++)
            {
                target[row + items[b]] += wa * weights[b];
            }
        }
    }

    /// <summary>Adds scale · x yᵀ for a sparse row x and one item y with weight 1.</summary>
    public static void AddToColumn(float[] target, int n, ReadOnlySpan<int> items, ReadOnlySpan<float> weights, int column, float scale)
    {
        for (var a = 0; a < items.Length; a++)
        {
            target[(long)items[a] * n + column] += scale * weights[a];
        }
    }

    /// <summary>Merges repeats (largest weight wins) so a row never counts an item twice.</summary>
    public static (int[] Items, float[] Weights) Distinct(ReadOnlySpan<int> items, ReadOnlySpan<float> weights)
    {
        var best = new Dictionary<int, float>();
        for (var i = 0; i < items.Length; i++)
        {
            best[items[i]] = best.TryGetValue(items[i], out var w) ? Math.Max(w, weights[i]) : weights[i];
        }

        return ([.. best.Keys], [.. best.Values]);
    }

    public static void AddDiagonal(float[] target, int n, float value)
    {
        for (var i = 0; i < n; i++)
        {
            target[(long)i * n + i] += value;
        }
    }
}
