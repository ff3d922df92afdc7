using Marketing.Cli.Import;
using Marketing.IntegrationTests.Hosting;
using Xunit.Abstractions;

namespace Marketing.IntegrationTests;

/// <summary>A catalogue import rides through the death of one of the silos it writes to.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ImportCrashTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Products = 2_000;

    [Fact]
    public async Task An_import_that_loses_one_of_two_silos_midway_stores_every_product()
    {
        await using var cluster = new LocalCluster(azurite, output);
        await cluster.StartSiloAsync();
        var victim = await cluster.StartSiloAsync();
        var client = await cluster.ConnectClientAsync();
        var shop = new ShopTraffic(client, cluster.KeyPrefix, shoppers: 0, Products);
        var plan = new ImportPlan(
            [.. shop.Skus.Select(sku => new ProductRecord(sku, ShopTraffic.Product(sku)))], new StageTally("products"), [], new StageTally("events"));

        // The CLI's runner as `import` runs it (128 upserts in flight); a quarter of the way in, with calls pending on
        // both silos, one is SIGKILLed.
        var runner = new ImportRunner(client.Grains, client.Pseudonym, batch: 100, concurrency: 128, ImportRetry.Default);
        var done = 0;
        var killed = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await runner.ImportProductsAsync(
            plan,
            rows =>
            {
                if (Interlocked.Add(ref done, rows) >= Products / 4 && Interlocked.Exchange(ref killed, 1) == 0)
                {
                    victim.Kill();
                }
            },
            CancellationToken.None);

        var stage = plan.ProductStage;
        output.WriteLine($"imported {stage.Imported} in {clock.Elapsed.TotalSeconds:0.0} s; {stage.Resent} calls sent again");
        var failures = string.Join("; ", stage.Failed.Values.Select(f => $"{f.Cause}: {f.Records} ({f.FirstMessage}; e.g. {string.Join(", ", f.Examples)})"));
        Assert.True(stage.FailedRecords == 0, $"{stage.FailedRecords} products failed: {failures}");
        Assert.Equal(Products, stage.Imported);
        // Otherwise the kill hit no call, and this test would pass without the retry.
        Assert.True(stage.Resent > 0, "no call was pending on the killed silo");
        Assert.Empty(await shop.MissingProductsAsync(new RetryWindow(TimeSpan.FromSeconds(30)).Call));

        // Run again, the import finds every product stored as it is and leaves it alone.
        var again = plan with { ProductStage = new StageTally("products") };
        await runner.ImportProductsAsync(again, _ => { }, CancellationToken.None);
        Assert.Equal((0, Products), (again.ProductStage.Imported, again.ProductStage.Duplicates));
    }
}
