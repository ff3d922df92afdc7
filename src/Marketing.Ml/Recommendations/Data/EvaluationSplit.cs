namespace Marketing.Ml.Recommendations.Data;

/// <summary>
/// One shopper to rank for: what the model is shown (oldest first), what must not be recommended back, and the items
/// they went on to have.
/// </summary>
public sealed record EvaluationCase(int User, int[] History, int[] Excluded, int[] Relevant);

/// <summary>A training set and the held-out cases a model trained on it is scored on.</summary>
public sealed record EvaluationSplit(string Protocol, TrainingSet Train, IReadOnlyList<EvaluationCase> Test, IReadOnlyList<EvaluationCase> Validation);

/// <summary>The two published protocols, with fixed seeds so a run can be repeated exactly.</summary>
public static class Splits
{
    /// <summary>
    /// Per-shopper stratified random split as Microsoft Recommenders' <c>python_stratified_split</c> does it: each
    /// shopper's interactions shuffled, the i-th of n kept for training while i/n ≤ <paramref name="trainRatio"/>, the
    /// rest held out. Training items are excluded from the ranking; the held-out ones are what is relevant.
    /// </summary>
    public static EvaluationSplit Stratified(InteractionData data, double trainRatio = 0.75, int seed = 42)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(trainRatio, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(trainRatio, 1);
        var random = new Random(seed);
        var byUser = data.ByUser();
        var histories = new int[byUser.Length][];
        var test = new List<EvaluationCase>();
        for (var u = 0; u < byUser.Length; u++)
        {
            var shuffled = byUser[u].ToArray();
            random.Shuffle(shuffled);
            var n = shuffled.Length;
            var train = shuffled.Where((_, i) => (double)i / n <= trainRatio).OrderBy(i => i.Order).Select(i => i.Item).ToArray();
            var held = shuffled.Where((_, i) => (double)i / n > trainRatio).Select(i => i.Item).Distinct().ToArray();
            histories[u] = train;
            if (held.Length > 0)
            {
                test.Add(new EvaluationCase(u, train, [.. train.Distinct()], held));
            }
        }

        return new EvaluationSplit($"stratified {trainRatio:P0} per shopper, seed {seed}", new TrainingSet(data.ItemCount, histories), test, []);
    }

    /// <summary>
    /// Leave-one-out over each shopper's sequence: the last item is the test target (the model sees everything
    /// before it), the second-last the validation target; training holds the rest. Everything the shopper had before
    /// the target is excluded from the ranking, which runs over the whole catalogue.
    /// </summary>
    public static EvaluationSplit LeaveOneOut(InteractionData data)
    {
        var byUser = data.ByUser();
        var histories = new int[byUser.Length][];
        var test = new List<EvaluationCase>();
        var validation = new List<EvaluationCase>();
        for (var u = 0; u < byUser.Length; u++)
        {
            var items = byUser[u].Select(i => i.Item).ToArray();
            var n = items.Length;
            histories[u] = n >= 3 ? items[..^2] : n == 2 ? items[..1] : items;
            if (n >= 2)
            {
                test.Add(Case(u, items[..^1], items[^1]));
            }

            if (n >= 3)
            {
                validation.Add(Case(u, items[..^2], items[^2]));
            }
        }

        return new EvaluationSplit("leave-one-out (last item test, second-last validation)", new TrainingSet(data.ItemCount, histories), test, validation);

        static EvaluationCase Case(int user, int[] history, int target) => new(user, history, [.. history.Distinct()], [target]);
    }
}
