using Marketing.Ml.Recommendations.Data;

namespace Marketing.Ml.Tests.Recommendations;

public class SplitTests
{
    [Fact]
    public void Stratified_split_keeps_three_quarters_of_each_shopper_for_training_without_leaking()
    {
        var data = Dataset(users: 40, itemsPerUser: u => 4 + u % 17);

        var split = Splits.Stratified(data, 0.75, seed: 7);

        var byUser = data.ByUser();
        foreach (var @case in split.Test)
        {
            var all = byUser[@case.User].Select(i => i.Item).ToHashSet();
            var train = split.Train.Histories[@case.User];
            var n = all.Count;

            // Microsoft Recommenders keeps the i-th shuffled row (0-based) while i / n <= 0.75.
            Assert.Equal(Enumerable.Range(0, n).Count(i => (double)i / n <= 0.75), train.Length);
            Assert.Empty(train.Intersect(@case.Relevant));
            Assert.True(all.SetEquals(train.Concat(@case.Relevant)));
            Assert.Equal(train.Order(), @case.Excluded.Order());
        }

        // A shopper with 4 items keeps all 4 (3/4 <= 0.75), so has nothing to test on: 3 of the 40 here.
        Assert.Equal(37, split.Test.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_split_and_another_seed_another()
    {
        var data = Dataset(users: 30, itemsPerUser: _ => 12);

        var first = Splits.Stratified(data, 0.75, seed: 1);
        var again = Splits.Stratified(data, 0.75, seed: 1);
        var other = Splits.Stratified(data, 0.75, seed: 2);

        Assert.Equal(first.Test.Select(c => c.Relevant), again.Test.Select(c => c.Relevant));
        Assert.NotEqual(first.Test.Select(c => c.Relevant.Order().ToArray()), other.Test.Select(c => c.Relevant.Order().ToArray()));
    }

    [Fact]
    public void Leave_one_out_tests_on_the_last_item_and_validates_on_the_second_last_without_training_on_either()
    {
        var data = Dataset(users: 5, itemsPerUser: u => 3 + u);

        var test = Splits.LeaveOneOut(data);
        var validation = Splits.LeaveOneOut(data, validation: true);

        foreach (var user in Enumerable.Range(0, 5))
        {
            var sequence = data.ByUser()[user].Select(i => i.Item).ToArray();
            var testCase = test.Test.Single(c => c.User == user);
            var validationCase = validation.Test.Single(c => c.User == user);

            Assert.Equal([sequence[^1]], testCase.Relevant);
            Assert.Equal(sequence[..^1], testCase.History);
            Assert.Equal(sequence[..^1], test.Train.Histories[user]);
            Assert.Equal([sequence[^2]], validationCase.Relevant);
            Assert.Equal(sequence[..^2], validationCase.History);
            Assert.Equal(sequence[..^2], validation.Train.Histories[user]);
        }
    }

    /// <summary>Shoppers with distinct items in a known order (order = position; ids spread over a catalogue of 50).</summary>
    internal static InteractionData Dataset(int users, Func<int, int> itemsPerUser)
    {
        var userIds = new IdMap();
        var itemIds = new IdMap();
        var interactions = new List<Interaction>();
        for (var u = 0; u < users; u++)
        {
            var user = userIds.GetOrAdd($"u{u}");
            for (var i = 0; i < itemsPerUser(u); i++)
            {
                interactions.Add(new Interaction(user, itemIds.GetOrAdd($"i{(u * 7 + i * 3) % 50}"), 1, i));
            }
        }

        return new InteractionData(userIds, itemIds, interactions);
    }
}
