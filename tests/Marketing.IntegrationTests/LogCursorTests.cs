using System.Text.Json;
using Azure.Storage.Blobs;
using Marketing.Abstractions.Events;
using Marketing.Grains.Events;
using Marketing.IntegrationTests.Hosting;
using Marketing.Silo.EventLog;
using Xunit.Abstractions;

namespace Marketing.IntegrationTests;

/// <summary>
/// A consumer of the durable log (a trainer, an insight job) reads it with the log cursor while events stream in,
/// stops, and resumes from the position it stored, across a silo SIGKILLed mid-stream and its restart.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class LogCursorTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Shoppers = 100;
    private const int Products = 20;

    [Fact]
    public async Task A_consumer_resuming_from_its_stored_position_sees_every_acknowledged_event_once_across_a_SIGKILL()
    {
        // Segments roll over every ten blocks and are sealed, so the consumer crosses sealed segments, the dead
        // silo's open one, and the restarted silo's.
        await using var cluster = new LocalCluster(azurite, output, new Dictionary<string, string>
        {
            ["EventLog:CheckpointInterval"] = "00:00:00.200",
            ["Events:StateFlushInterval"] = "00:00:00.500",
            ["EventLog:MaxBlocksPerSegment"] = "10",
            ["EventLog:SealClosedSegments"] = "true",
            ["EventLog:SealChunkBytes"] = "1024",
        });
        var container = new BlobServiceClient(azurite.LogConnectionString).GetBlobContainerClient(cluster.Settings["EventLog:Container"]);
        var silo = await cluster.StartSiloAsync();
        var traffic = new ShopTraffic(await cluster.ConnectClientAsync(), cluster.KeyPrefix, Shoppers, Products);

        var consumer = new Consumer(new EventLogCursor(new AzureBlobEventLogStore(container)), JsonSerializer.Serialize(LogPosition.Start));
        using (var stop = new CancellationTokenSource())
        {
            var reading = consumer.RunAsync(stop.Token);
            await traffic.TrackAsync(0, 4);

            // Events still streaming in when the consumer stops (keeping only the position it stored after its last
            // page) and then the silo is killed: what it acknowledged in between is only in its open segment, which
            // the consumer must read after the restart. Calls that fail in the kill were not acknowledged.
            var streaming = traffic.TrackAsync(4, 8, Unacknowledged);
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            await stop.CancelAsync();
            await reading;
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            silo.Kill();
            await streaming;
        }

        var seenBefore = consumer.Seen.Count;
        Assert.True(seenBefore > 0, "the consumer read nothing before the kill");

        await silo.StartAsync();
        var after = new ShopTraffic(await cluster.ConnectClientAsync(), cluster.KeyPrefix, Shoppers, Products);
        var resumed = new Consumer(new EventLogCursor(new AzureBlobEventLogStore(container)), consumer.StoredPosition);
        using (var stop = new CancellationTokenSource())
        {
            var reading = resumed.RunAsync(stop.Token);
            await after.TrackAsync(8, 12);
            await stop.CancelAsync();
            await reading;
        }

        // Everything acknowledged is stored, so one read to the end finds the rest.
        await resumed.ReadToEndAsync();
        var acknowledged = traffic.AcknowledgedEventIds.Keys.Concat(after.AcknowledgedEventIds.Keys).ToHashSet(StringComparer.Ordinal);
        var seen = consumer.Seen.Concat(resumed.Seen).ToList();
        var twice = seen.GroupBy(id => id, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var missed = acknowledged.Except(seen, StringComparer.Ordinal).ToList();
        output.WriteLine($"{acknowledged.Count} acknowledged; the consumer saw {seenBefore} before the kill and {resumed.Seen.Count} after, in {consumer.Pages + resumed.Pages} pages");

        Assert.True(twice.Count == 0, $"{twice.Count} events seen twice: {string.Join(", ", twice.Take(10))}");
        Assert.True(missed.Count == 0, $"{missed.Count} acknowledged events never seen: {string.Join(", ", missed.Take(10))}\n{silo.Tail}");
        Assert.True(acknowledged.Count >= Shoppers * 8, $"only {acknowledged.Count} events were acknowledged");
        var position = JsonSerializer.Deserialize<LogPosition>(resumed.StoredPosition)!;
        Assert.Equal(2, position.Incarnations.Count); // the killed silo and its restart
    }

    private static async Task<TrackResult> Unacknowledged(Func<Task<TrackResult>> track)
    {
        try
        {
            return await track();
        }
        catch (Exception)
        {
            return new TrackResult(0, 0, false);
        }
    }

    /// <summary>A consumer that stores its position (as JSON) after every page, as it would in a file or a grain.</summary>
    private sealed class Consumer(IEventLogCursor cursor, string storedPosition)
    {
        public string StoredPosition { get; private set; } = storedPosition;

        public List<string> Seen { get; } = [];

        public int Pages { get; private set; }

        /// <summary>Reads pages until stopped, waiting a little whenever it has caught up.</summary>
        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                while (true)
                {
                    if (await ReadPageAsync(stop))
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        public async Task ReadToEndAsync()
        {
            while (!await ReadPageAsync(CancellationToken.None))
            {
            }
        }

        /// <returns>True when the page reached the end of the log.</returns>
        private async Task<bool> ReadPageAsync(CancellationToken cancellationToken)
        {
            var page = await cursor.ReadFromAsync(JsonSerializer.Deserialize<LogPosition>(StoredPosition)!, maxEvents: 50, cancellationToken);
            Seen.AddRange(page.Events.Select(e => e.Event.EventId));
            StoredPosition = JsonSerializer.Serialize(page.Next);
            Pages++;
            return page.CaughtUp;
        }
    }
}
