using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Shoppers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests;

/// <summary>
/// A shopper keeps the events it applied since its last write as bytes, to merge them into another activation's state
/// if that one wrote first: every kept event must come back exactly, newest kept when there were too many.
/// </summary>
public sealed class UnsavedEventsTests
{
    private static readonly Serializer<UnsavedEvent> Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(UnsavedEvent).Assembly).AddAssembly(typeof(RecentEvent).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer<UnsavedEvent>>();

    [Fact]
    public void Kept_events_read_back_as_logged_oldest_first()
    {
        var unsaved = new UnsavedEvents(new UnsavedEventBuffers(), Serializer, 512);
        var records = Records("s1", 40);

        unsaved.Add(records.Take(25));
        unsaved.Add(records.Skip(25));

        Assert.Equal(40, unsaved.Count);
        Assert.Equal(0, unsaved.Dropped);
        Assert.Equal(Json(records), Json(unsaved.Read("s1")));
    }

    [Fact]
    public void Past_the_capacity_the_oldest_are_dropped_and_the_rest_still_read_back()
    {
        var unsaved = new UnsavedEvents(new UnsavedEventBuffers(), Serializer, 7);
        var records = Records("s1", 300);

        // One at a time, so the buffer moves many times with dropped records at its front.
        foreach (var record in records)
        {
            unsaved.Add([record]);
        }

        Assert.Equal(7, unsaved.Count);
        Assert.Equal(293, unsaved.Dropped);
        Assert.Equal(Json(records[^7..]), Json(unsaved.Read("s1")));
    }

    [Fact]
    public void A_cleared_shopper_hands_its_buffer_back_for_the_next_and_keeps_nothing()
    {
        var buffers = new UnsavedEventBuffers();
        var first = new UnsavedEvents(buffers, Serializer, 512);
        first.Add(Records("s1", 3));

        first.Clear();

        var idle = buffers.IdleBytes;
        Assert.True(idle >= UnsavedEventBuffers.MinBytes, $"{idle} bytes idle");
        Assert.Empty(first.Read("s1"));
        var second = new UnsavedEvents(buffers, Serializer, 512);
        var next = Records("s2", 1);
        second.Add(next);
        Assert.Equal(idle - UnsavedEventBuffers.MinBytes, buffers.IdleBytes);
        Assert.Equal(Json(next), Json(second.Read("s2")));
    }

    [Fact]
    public void An_event_larger_than_the_biggest_pooled_buffer_is_kept_whole()
    {
        var unsaved = new UnsavedEvents(new UnsavedEventBuffers(), Serializer, 512);
        var review = new LoggedEvent("s1", 1, DateTimeOffset.UnixEpoch, EventSource.Import, true, View("big", "sku") with
        {
            Type = ShopperEventType.Review,
            Rating = 2,
            Text = new string('x', 300_000),
        });

        unsaved.Add([review]);

        Assert.Equal(Json([review]), Json(unsaved.Read("s1")));
    }

    private static string Json(IEnumerable<LoggedEvent> records)
    {
        using var lines = new MemoryStream();
        foreach (var record in records)
        {
            EventLogJson.WriteLine(record, lines);
        }

        return System.Text.Encoding.UTF8.GetString(lines.ToArray());
    }

    private static List<LoggedEvent> Records(string shopper, int count)
    {
        var at = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
        return [.. Enumerable.Range(0, count).Select(i => new LoggedEvent(
            shopper,
            i + 1,
            at.AddSeconds(i),
            EventSource.Live,
            i % 5 == 4,
            i % 3 == 0 ? Purchase($"e{i}", $"o{i}", ("a", 1, 7.5m), ("b", 2, 0.25m)) : View($"e{i}", $"sku-{i}")))];
    }
}
