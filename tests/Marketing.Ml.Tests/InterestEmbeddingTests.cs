using Marketing.Ml.Shoppers;

namespace Marketing.Ml.Tests;

public sealed class InterestEmbeddingTests
{
    private static readonly TimeSpan HalfLife = TimeSpan.FromDays(10);
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_event_one_half_life_old_counts_half_as_much_as_a_new_one()
    {
        var sum = new float[2];
        var asOf = Start;
        InterestEmbedding.Fold(sum, ref asOf, [1, 0], 1, Start, HalfLife);
        InterestEmbedding.Fold(sum, ref asOf, [0, 1], 1, Start + HalfLife, HalfLife);

        Assert.Equal(Start + HalfLife, asOf);
        Assert.Equal(0.5f, sum[0], 5);
        Assert.Equal(1f, sum[1], 5);
    }

    [Fact]
    public void The_order_events_arrive_in_does_not_change_the_interest()
    {
        var events = new (float[] Vector, float Weight, DateTimeOffset At)[]
        {
            ([1, 0, 0], 1, Start.AddDays(3)), ([0, 1, 0], 4, Start), ([0, 0, 1], 2, Start.AddDays(30)), ([1, 1, 0], 3, Start.AddDays(12)),
        };

        var inOrder = Fold(events.OrderBy(e => e.At));
        var shuffled = Fold([events[2], events[0], events[3], events[1]]);

        Assert.Equal(inOrder.Sum, shuffled.Sum, (a, b) => Math.Abs(a - b) < 1e-5f);
        Assert.Equal(inOrder.AsOf, shuffled.AsOf);
    }

    [Fact]
    public void Interest_from_long_ago_is_forgotten_and_zero_has_no_direction()
    {
        var sum = new float[2];
        var asOf = Start;
        Assert.Null(InterestEmbedding.Direction(sum));

        InterestEmbedding.Fold(sum, ref asOf, [1, 0], 5, Start, HalfLife);
        InterestEmbedding.Fold(sum, ref asOf, [0, 1], 1, Start.AddYears(10), HalfLife);

        var direction = InterestEmbedding.Direction(sum);
        Assert.NotNull(direction);
        Assert.Equal([0f, 1f], direction);
    }

    [Fact]
    public void A_vector_of_another_length_is_refused()
    {
        var asOf = Start;
        Assert.Throws<ArgumentException>(() => InterestEmbedding.Fold(new float[3], ref asOf, new float[2], 1, Start, HalfLife));
    }

    private static (float[] Sum, DateTimeOffset AsOf) Fold(IEnumerable<(float[] Vector, float Weight, DateTimeOffset At)> events)
    {
        var sum = new float[3];
        var asOf = DateTimeOffset.MinValue;
        foreach (var (vector, weight, at) in events)
        {
            InterestEmbedding.Fold(sum, ref asOf, vector, weight, at, HalfLife);
        }

        return (sum, asOf);
    }
}
