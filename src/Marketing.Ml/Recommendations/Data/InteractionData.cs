namespace Marketing.Ml.Recommendations.Data;

/// <summary>One shopper–item event: a rating (1 where the data has none) and its place in the shopper's history.</summary>
public readonly record struct Interaction(int User, int Item, float Rating, long Order);

/// <summary>Which file layout a dataset has: explicit ratings with timestamps, or ordered item sequences.</summary>
public enum InteractionFormat
{
    /// <summary><c>user_id,item_id,rating,timestamp</c> (MovieLens).</summary>
    Ratings,

    /// <summary><c>user_id,item_id,seq_pos</c> (Amazon Beauty as prepared for S3-Rec).</summary>
    Sequences,
}

/// <summary>
/// A whole dataset in dense index space: every interaction plus the maps back to the file's ids. Each shopper's
/// history is their interactions in order (timestamp or sequence position, ties kept in file order).
/// </summary>
public sealed class InteractionData(IdMap users, IdMap items, IReadOnlyList<Interaction> interactions)
{
    public IdMap Users { get; } = users;

    public IdMap Items { get; } = items;

    public IReadOnlyList<Interaction> Interactions { get; } = interactions;

    public int UserCount => Users.Count;

    public int ItemCount => Items.Count;

    /// <summary>Each shopper's interactions, oldest first.</summary>
    public Interaction[][] ByUser()
    {
        var lists = new List<Interaction>[UserCount];
        for (var u = 0; u < lists.Length; u++)
        {
            lists[u] = [];
        }

        foreach (var interaction in Interactions)
        {
            lists[interaction.User].Add(interaction);
        }

        // A stable sort: equal timestamps keep the file's order.
        return [.. lists.Select(l => l.OrderBy(i => i.Order).ToArray())];
    }
}
