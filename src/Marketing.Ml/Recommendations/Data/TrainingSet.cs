namespace Marketing.Ml.Recommendations.Data;

/// <summary>
/// What a model trains on: each shopper's items in the order they came, over a catalogue of <see cref="ItemCount"/>
/// items. The silo builds one from the event log; the offline evaluation from a split.
/// </summary>
public sealed class TrainingSet
{
    public TrainingSet(int itemCount, IReadOnlyList<int[]> histories)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(itemCount);
        foreach (var history in histories)
        {
            foreach (var item in history)
            {
                if ((uint)item >= (uint)itemCount)
                {
                    throw new ArgumentException($"item index {item} is outside the catalogue of {itemCount} items", nameof(histories));
                }
            }
        }

        ItemCount = itemCount;
        Histories = histories;
    }

    public int ItemCount { get; }

    /// <summary>Per shopper, item indexes oldest first (a shopper may have none).</summary>
    public IReadOnlyList<int[]> Histories { get; }

    public long InteractionCount => Histories.Sum(h => (long)h.Length);

    /// <summary>How many shoppers interacted with each item (repeats within a shopper counted once).</summary>
    public int[] ItemPopularity()
    {
        var counts = new int[ItemCount];
        var seen = new HashSet<int>();
        foreach (var history in Histories)
        {
            seen.Clear();
            foreach (var item in history)
            {
                if (seen.Add(item))
                {
                    counts[item]++;
                }
            }
        }

        return counts;
    }
}
