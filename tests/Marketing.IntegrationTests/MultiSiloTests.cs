using Marketing.IntegrationTests.Hosting;
using Xunit.Abstractions;

namespace Marketing.IntegrationTests;

/// <summary>Two silos share the grains; when one goes away, callers keep being served by the other.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MultiSiloTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private const int Shoppers = 200;
    private const int Products = 100;

    // How long callers may need to retry while the cluster agrees a silo is gone and re-places its grains.
    private static readonly TimeSpan SettleWindow = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Calls_keep_succeeding_and_state_stays_when_one_of_two_silos_shuts_down()
    {
        await LoseOneOfTwoSilos(silo => silo.StopAsync());
    }

    [Fact]
    public async Task Calls_keep_succeeding_and_acknowledged_events_stay_when_one_of_two_silos_is_killed()
    {
        await LoseOneOfTwoSilos(silo =>
        {
            silo.Kill();
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task A_killed_silo_started_again_at_once_serves_with_the_other_and_no_acknowledged_event_is_lost()
    {
        // Both live silos load the dead one's tail; one wakes its shoppers and closes it, the other waits for that.
        // The restarted silo is ready only once the tail is closed, whichever of the two closed it.
        await LoseOneOfTwoSilos(
            async silo =>
            {
                silo.Kill();
                await silo.StartAsync();
            },
            silosAfter: 2);
    }

    private async Task LoseOneOfTwoSilos(Func<SiloProcess, Task> loseSilo, int silosAfter = 1)
    {
        await using var cluster = new LocalCluster(azurite, output);
        var survivor = await cluster.StartSiloAsync();
        var leaving = await cluster.StartSiloAsync();
        var client = await cluster.ConnectClientAsync();
        var shop = new ShopTraffic(client, cluster.KeyPrefix, Shoppers, Products);

        await shop.UpsertProductsAsync();
        await shop.TrackAsync(0, 3);
        Assert.Equal(2, await ActiveSilos(client));
        Assert.True(await ShopperActivationsPerSilo(client) is { Count: 2 }, "shoppers should be spread over both silos before one leaves");

        await loseSilo(leaving);

        // Through the window: the same client goes on writing; a retried Track is safe because event ids dedupe.
        var window = new RetryWindow(SettleWindow);
        await shop.TrackAsync(3, 4, window.Call);
        await window.Call(async () => await ActiveSilos(client) == silosAfter ? 1 : throw new InvalidOperationException($"the cluster does not have {silosAfter} active silos yet"));
        await survivor.WaitReadyAsync();
        if (leaving.IsRunning)
        {
            await leaving.WaitReadyAsync();
        }

        output.WriteLine($"calls retried while the cluster settled: {window.Retries}");

        var counts = await shop.EventCountsAsync(window.Call);
        var wrong = counts.Where(c => c.Value != 4).Select(c => $"{c.Key}: {c.Value}").ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {Shoppers} shoppers do not show the 4 acknowledged events: {string.Join(", ", wrong.Take(10))}\n--- survivor ---\n{survivor.Tail}\n--- the silo that left ---\n{leaving.Tail}");
        Assert.Empty(await shop.MissingProductsAsync(window.Call));
    }

    private static async Task<int> ActiveSilos(MarketingClient client) =>
        (await client.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true)).Count;

    private static async Task<Dictionary<SiloAddress, int>> ShopperActivationsPerSilo(MarketingClient client)
    {
        var stats = await client.Grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return stats.Where(s => s.GrainType.Contains("ShopperGrain", StringComparison.Ordinal) && s.ActivationCount > 0)
            .GroupBy(s => s.SiloAddress)
            .ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount));
    }
}
