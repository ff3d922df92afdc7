using Azure.Storage.Blobs;
using Marketing.IntegrationTests.Hosting;
using Xunit.Abstractions;

namespace Marketing.IntegrationTests;

/// <summary>An acknowledged write is never lost, even when the silo holding it is SIGKILLed the next instant.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SiloCrashTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Shoppers = 200;
    private const int EventsPerShopper = 10;
    private const int Products = 50;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_acknowledged_event_and_product_survives_a_SIGKILL_of_the_only_silo(bool logInItsOwnAccount)
    {
        await using var cluster = new LocalCluster(azurite, output, logInItsOwnAccount
            ? null
            : new Dictionary<string, string> { ["EventLog:ConnectionString"] = "" });
        var silo = await cluster.StartSiloAsync();
        var before = new ShopTraffic(await cluster.ConnectClientAsync(), cluster.KeyPrefix, Shoppers, Products);

        await before.UpsertProductsAsync();
        await before.TrackAsync(0, EventsPerShopper);
        silo.Kill();

        Assert.Equal(Shoppers * EventsPerShopper, before.Acknowledged.Values.Sum());

        await silo.StartAsync();
        var after = new ShopTraffic(await cluster.ConnectClientAsync(), cluster.KeyPrefix, Shoppers, Products);
        var noRetry = new RetryWindow(TimeSpan.Zero);
        var counts = await after.EventCountsAsync(noRetry.Call);
        var lost = before.Acknowledged.Where(a => counts[a.Key] != a.Value).Select(a => $"{a.Key}: {counts[a.Key]} of {a.Value}").ToList();

        Assert.True(lost.Count == 0, $"{lost.Count} shoppers lost acknowledged events after the kill: {string.Join(", ", lost.Take(10))}\n{silo.Tail}");
        Assert.Empty(await after.MissingProductsAsync(noRetry.Call));

        var container = cluster.Settings["EventLog:Container"];
        Assert.Equal(logInItsOwnAccount, await HasSegmentsAsync(azurite.LogConnectionString, container));
        Assert.Equal(!logInItsOwnAccount, await HasSegmentsAsync(azurite.ConnectionString, container));
    }

    private static async Task<bool> HasSegmentsAsync(string connectionString, string container)
    {
        var blobs = new BlobServiceClient(connectionString).GetBlobContainerClient(container);
        if (!await blobs.ExistsAsync())
        {
            return false;
        }

        await foreach (var blob in blobs.GetBlobsAsync())
        {
            if (blob.Name.Contains("/segments/", StringComparison.Ordinal) || blob.Name.Contains("/sealed/", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(10)]
    public async Task Events_acknowledged_after_a_checkpoint_survive_a_SIGKILL_when_recovery_reads_the_log_from_it(int blocksPerSegment)
    {
        // Quick state writes and checkpoints: the first half is in state and behind a checkpoint that names where the
        // second half's blocks start, so recovery downloads the log from there rather than whole segments. With 10
        // blocks a segment, segments roll over all the time and are sealed into block blobs, the checkpoint's among
        // them, so recovery reads sealed copies at the offsets the checkpoint names in the append blobs they were. Each
        // is copied 1 KiB at a time, so a copy that lost or reordered a chunk would break those offsets.
        await using var cluster = new LocalCluster(azurite, output, new Dictionary<string, string>
        {
            ["EventLog:CheckpointInterval"] = "00:00:00.200",
            ["Events:StateFlushInterval"] = "00:00:00.500",
            ["EventLog:MaxBlocksPerSegment"] = $"{blocksPerSegment}",
            ["EventLog:SealClosedSegments"] = "true",
            ["EventLog:SealChunkBytes"] = "1024",
        });
        var silo = await cluster.StartSiloAsync();
        var before = new ShopTraffic(await cluster.ConnectClientAsync(), cluster.KeyPrefix, Shoppers, Products);
        await before.UpsertProductsAsync();
        await before.TrackAsync(0, EventsPerShopper / 2);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await before.TrackAsync(EventsPerShopper / 2, EventsPerShopper);
        silo.Kill();
        Assert.Equal(Shoppers * EventsPerShopper, before.Acknowledged.Values.Sum());

        await silo.StartAsync();
        var after = new ShopTraffic(await cluster.ConnectClientAsync(), cluster.KeyPrefix, Shoppers, Products);
        var counts = await after.EventCountsAsync(new RetryWindow(TimeSpan.Zero).Call);
        var lost = before.Acknowledged.Where(a => counts[a.Key] != a.Value).Select(a => $"{a.Key}: {counts[a.Key]} of {a.Value}").ToList();

        Assert.True(lost.Count == 0, $"{lost.Count} shoppers lost acknowledged events after the kill: {string.Join(", ", lost.Take(10))}\n{silo.Tail}");
        output.WriteLine(string.Join('\n', silo.Tail.Split('\n').Where(line => line.Contains("log tail", StringComparison.Ordinal))));
        var sealedSegments = await CountAsync(azurite.LogConnectionString, cluster.Settings["EventLog:Container"], "/sealed/");
        output.WriteLine($"{sealedSegments} sealed segments");
        Assert.Equal(blocksPerSegment == 10, sealedSegments > 0); // 5,000 blocks: no segment rolled over
    }

    private static async Task<int> CountAsync(string connectionString, string container, string folder)
    {
        var count = 0;
        await foreach (var blob in new BlobServiceClient(connectionString).GetBlobContainerClient(container).GetBlobsAsync())
        {
            count += blob.Name.Contains(folder, StringComparison.Ordinal) ? 1 : 0;
        }

        return count;
    }
}
