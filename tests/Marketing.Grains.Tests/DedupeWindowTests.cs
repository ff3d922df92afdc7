using Marketing.Abstractions.Events;
using Marketing.Grains.Events;
using Marketing.Grains.Shoppers;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests;

/// <summary>
/// A shopper recognises the ids of its last <c>Events:DedupeWindow</c> events, whatever the window was when its state
/// was written: the ring of ids starts small and grows, so it must never forget an id too early or keep one too long.
/// </summary>
public sealed class DedupeWindowTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void The_last_window_of_ids_is_recognised_and_older_ones_are_not(int events)
    {
        var options = new EventIntakeOptions { DedupeWindow = 64 };
        var state = Apply(new ShopperState(), options, 0, events);

        for (var i = 0; i < events; i++)
        {
            var expected = i >= events - options.DedupeWindow;
            Assert.True(expected == Seen(state, i), $"event {i} of {events}: expected {(expected ? "recognised" : "forgotten")}");
        }

        Assert.True(state.RecentIds!.Length <= options.DedupeWindow);
    }

    [Fact]
    public void A_one_event_shopper_keeps_a_small_ring()
    {
        var state = Apply(new ShopperState(), new EventIntakeOptions(), 0, 1);
        Assert.Equal(4, state.RecentIds!.Length);
    }

    [Theory]
    [InlineData(16, 64)]
    [InlineData(64, 16)]
    public void A_changed_window_keeps_the_newest_ids(int before, int after)
    {
        var state = Apply(new ShopperState(), new EventIntakeOptions { DedupeWindow = before }, 0, 100);
        state = Apply(state, new EventIntakeOptions { DedupeWindow = after }, 100, 10);

        // The newest ten are always remembered; of the older ones, as many as both windows allow.
        var remembered = Enumerable.Range(0, 110).Where(i => Seen(state, i)).ToList();
        var expectedOldest = 110 - Math.Min(after, Math.Min(before, 100) + 10);
        Assert.Equal(Enumerable.Range(expectedOldest, 110 - expectedOldest), remembered);
    }

    private static ShopperState Apply(ShopperState state, EventIntakeOptions options, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            ShopperHistory.Apply(state, new LoggedEvent("s", i + 1, DateTimeOffset.UtcNow, EventSource.Live, false, View($"e{i}", "sku")), options, 256);
        }

        return state;
    }

    private static bool Seen(ShopperState state, int i) => ShopperHistory.SeenRecently(state, ShopperHistory.EventIdHash($"e{i}"));
}
