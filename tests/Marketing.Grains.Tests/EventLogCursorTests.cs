using System.Text.Json;
using Marketing.Grains.Events;
using Marketing.Silo.EventLog;

namespace Marketing.Grains.Tests;

/// <summary>
/// A consumer reads the log a page at a time from the position it stored, and after a restart resumes there: it sees
/// every event once, none twice, across silos' incarnations and sealed and open segments, while silos keep appending.
/// </summary>
public sealed class EventLogCursorTests
{
    [Fact]
    public async Task Pages_resumed_from_their_stored_position_see_every_event_once_while_two_silos_append()
    {
        var stored = new StoredLog();
        string[] incarnations = ["10.0.0.1-11111-1", "10.0.0.2-11111-1"];
        var logs = await Task.WhenAll(incarnations.Select(stored.StartAsync));
        const int Appends = 60;

        // Each silo appends one to three events at a time, awaiting each, so its log order is its id order.
        var appending = Task.WhenAll(logs.Select((log, silo) => Task.Run(async () =>
        {
            var n = 0;
            for (var append = 0; append < Appends; append++)
            {
                var batch = Enumerable.Range(0, 1 + (append % 3)).Select(_ => StoredLog.Record($"shopper-{n % 7}", $"{silo}:{n++:D4}", n)).ToList();
                await log.AppendAsync(batch);
                await Task.Delay(1);
            }
        })));

        var seen = new List<string>();
        var position = LogPosition.Start;
        var pagesWhileAppending = 0;
        while (true)
        {
            var appendingDone = appending.IsCompleted;
            // A fresh cursor each page over a position stored as JSON: as a consumer that restarts between pages. A
            // small download chunk splits lines across requests.
            var cursor = new EventLogCursor(stored.Store, chunkBytes: 64);
            var page = await cursor.ReadFromAsync(JsonSerializer.Deserialize<LogPosition>(JsonSerializer.Serialize(position))!, maxEvents: 7);
            Assert.True(page.Events.Count <= 7);
            seen.AddRange(page.Events.Select(e => e.Event.EventId));
            position = page.Next;
            pagesWhileAppending += appendingDone ? 0 : 1;
            if (appendingDone && page.CaughtUp)
            {
                break;
            }
        }

        await appending;
        var expected = Enumerable.Range(0, 2).SelectMany(silo => Enumerable.Range(0, Appends / 3 * 6).Select(n => $"{silo}:{n:D4}")).ToList();
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected.Order(), seen.Order());
        foreach (var silo in new[] { "0:", "1:" })
        {
            var ofSilo = seen.Where(id => id.StartsWith(silo, StringComparison.Ordinal)).ToList();
            Assert.Equal(ofSilo.Order(StringComparer.Ordinal), ofSilo);
        }

        Assert.True(pagesWhileAppending > 1, $"only {pagesWhileAppending} pages were read while the silos appended");
        var segments = await stored.Store.ListLogsAsync(null, CancellationToken.None);
        Assert.All(segments, log => Assert.Contains(log.Segments, s => s.Sealed));

        // Nothing new: nothing more, and the position stays.
        var again = await new EventLogCursor(stored.Store).ReadFromAsync(position, 100);
        Assert.Empty(again.Events);
        Assert.True(again.CaughtUp);
        Assert.Equal(position, again.Next);

        // A silo that starts later (a restart is a new incarnation) is picked up from its start.
        var restarted = await stored.StartAsync("10.0.0.1-11111-2");
        await restarted.AppendAsync([StoredLog.Record("shopper-1", "2:0000", 1000)]);
        var later = await new EventLogCursor(stored.Store).ReadFromAsync(position, 100);
        Assert.Equal(["2:0000"], later.Events.Select(e => e.Event.EventId));
        await Task.WhenAll(logs.Append(restarted).Select(l => l.DisposeAsync().AsTask()));
    }

    [Fact]
    public async Task An_erased_shoppers_earlier_events_are_skipped_and_later_ones_are_not()
    {
        var stored = new StoredLog();
        var durable = await stored.StartAsync("10.0.0.1-11111-1");
        var memory = new InMemoryEventLog();
        foreach (var log in new IEventLog[] { durable, memory })
        {
            await log.AppendAsync([StoredLog.Record("ada", "ada-1", 1), StoredLog.Record("bob", "bob-1", 2)]);
            await log.AppendAsync([StoredLog.Record("ada", "ada-2", 3)]);
            await log.RecordErasureAsync(new Erasure("ada", StoredLog.Epoch.AddSeconds(3)));
            await log.AppendAsync([StoredLog.Record("ada", "ada-3", 4)]);
        }

        foreach (var cursor in new IEventLogCursor[] { new EventLogCursor(stored.Store), memory })
        {
            var page = await cursor.ReadFromAsync(LogPosition.Start, 10);
            Assert.Equal(["bob-1", "ada-3"], page.Events.Select(e => e.Event.EventId));

            // A page of one still moves past the erased events before and after what it returns.
            var first = await cursor.ReadFromAsync(LogPosition.Start, 1);
            var second = await cursor.ReadFromAsync(first.Next, 1);
            var third = await cursor.ReadFromAsync(second.Next, 1);
            Assert.Equal(["bob-1", "ada-3"], first.Events.Concat(second.Events).Concat(third.Events).Select(e => e.Event.EventId));
            Assert.True(third.CaughtUp);
        }

        await durable.DisposeAsync();
    }

    [Fact]
    public async Task The_in_memory_log_resumes_from_a_stored_position_with_only_what_came_after()
    {
        var log = new InMemoryEventLog();
        await log.AppendAsync([.. Enumerable.Range(0, 25).Select(n => StoredLog.Record("ada", $"e{n}", n))]);

        var first = await log.ReadFromAsync(LogPosition.Start, 10);
        var second = await log.ReadFromAsync(first.Next, 10);
        await log.AppendAsync([.. Enumerable.Range(25, 10).Select(n => StoredLog.Record("ada", $"e{n}", n))]);
        var third = await log.ReadFromAsync(JsonSerializer.Deserialize<LogPosition>(JsonSerializer.Serialize(second.Next))!, 100);

        Assert.Equal(
            Enumerable.Range(0, 35).Select(n => $"e{n}"),
            first.Events.Concat(second.Events).Concat(third.Events).Select(e => e.Event.EventId));
        Assert.False(first.CaughtUp);
        Assert.True(third.CaughtUp);
    }
}
