namespace Marketing.Ml.Recommendations.Data;

/// <summary>
/// One shopper to rank for: what the model is shown (oldest first), what must not be recommended back, and the items
/// they went on to have.
/// </summary>
public sealed record EvaluationCase(int User, int[] History, int[] Excluded, int[] Relevant);

/// <summary>A training set and the held-out cases a model trained on it is scored on.</summary>
public sealed record EvaluationSplit(string Protocol, TrainingSet Train, IReadOnlyList<EvaluationCase> Test);

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

        return new EvaluationSplit($"stratified {trainRatio:P0} per shopper, seed {seed}", new TrainingSet(data.ItemCount, histories), test);
    }

    /// <summary>
    /// Leave-one-out over each shopper's sequence, as the sequential papers do it: the last item is the test target
    /// and the second-last the validation target, ranked over the whole catalogue with everything the shopper had
    /// before the target excluded. For the test (<paramref name="validation"/> false) the model trains on each
    /// sequence up to the test item, which is exactly what it is shown; for validation it trains on the sequences
    /// without their last two items, so that settings chosen on validation never saw the test item.
    /// </summary>
    public static EvaluationSplit LeaveOneOut(InteractionData data, bool validation = false)
    {
        var byUser = data.ByUser();
        var held = validation ? 2 : 1;
        var histories = new int[byUser.Length][];
        var cases = new List<EvaluationCase>();
        for (var u = 0; u < byUser.Length; u++)
        {
            var items = byUser[u].Select(i => i.Item).ToArray();
            if (items.Length <= held)
            {
                histories[u] = items.Length > 1 ? items[..^1] : items;
                continue;
            }

            var history = items[..^held];
            histories[u] = history;
            cases.Add(new EvaluationCase(u, history, [.. history.Distinct()], [items[^held]]));
        }

        var protocol = validation ? "leave-one-out, validation (second-last item)" : "leave-one-out, test (last item)";
        return new EvaluationSplit(protocol, new TrainingSet(data.ItemCount, histories), cases);
    }
}
