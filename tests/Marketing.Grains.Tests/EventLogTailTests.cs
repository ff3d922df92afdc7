using Marketing.Silo.EventLog;

namespace Marketing.Grains.Tests;

/// <summary>
/// After a crash, recovery replays only the tail of the dead silo's log: what was logged from its last checkpoint on,
/// found at the offset the checkpoint names, even once that segment was sealed into a copy.
/// </summary>
public sealed class EventLogTailTests
{
    private const string Dead = "10.0.0.1-11111-1";

    [Fact]
    public async Task Recovery_reads_the_tail_from_the_checkpoint_across_a_sealed_and_an_open_segment()
    {
        var stored = new StoredLog();
        var log = await stored.StartAsync(Dead);
        // One block per append: 15 blocks make a full segment (sealed on roll-over) and an open one of 5.
        for (var block = 0; block < 15; block++)
        {
            await log.AppendAsync([StoredLog.Record("ada", $"e{block}a", block), StoredLog.Record("bob", $"e{block}b", block + 0.5)]);
        }

        // Grain state holds everything logged before block 7; the silo then dies without closing its log.
        await log.WriteCheckpointAsync(StoredLog.Epoch.AddSeconds(7), CancellationToken.None);
        await log.DisposeAsync();

        var segments = (await stored.Store.ListLogsAsync(Dead, CancellationToken.None)).Single().Segments;
        Assert.Equal([true, false], segments.Select(s => s.Sealed));
        var checkpoint = await stored.Store.ReadCheckpointAsync(Dead, CancellationToken.None);
        Assert.Equal(segments[0].File, checkpoint?.Segment);
        Assert.True(checkpoint?.Offset > 0);

        var (tail, bytesRead) = await new EventLogTailReader(stored.Store).ReadTailAsync(Dead, CancellationToken.None);

        Assert.Equal(
            Enumerable.Range(7, 8).SelectMany(b => new[] { $"e{b}a", $"e{b}b" }),
            tail.Select(r => r.Event.EventId));
        // From the checkpoint's offset, not the whole sealed segment.
        Assert.Equal(segments.Sum(s => s.Length) - checkpoint!.Offset, bytesRead);
        Assert.Equal([Dead], await log.ListIncarnationsAsync(openOnly: true, CancellationToken.None));
    }

    [Fact]
    public async Task A_log_closed_on_a_clean_shutdown_has_nothing_to_replay()
    {
        var stored = new StoredLog();
        var log = await stored.StartAsync(Dead);
        await log.AppendAsync([StoredLog.Record("ada", "e1", 1)]);
        await log.DisposeAsync();
        await log.WriteCheckpointAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        await log.MarkClosedAsync(Dead, CancellationToken.None);

        Assert.Empty(await log.ListIncarnationsAsync(openOnly: true, CancellationToken.None));
        Assert.Empty((await log.ReadTailAsync(Dead, CancellationToken.None)).Records);
        Assert.Equal(["e1"], await log.ReadAllAsync().Select(r => r.Event.EventId).ToListAsync());
    }
}
