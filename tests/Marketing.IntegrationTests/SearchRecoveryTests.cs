using System.Text.Json;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Client;
using Marketing.IntegrationTests.Hosting;
using Marketing.Ml.Embeddings;
using Xunit.Abstractions;

namespace Marketing.IntegrationTests;

/// <summary>
/// The product index in a real silo process on Azurite: the encoder starts on this machine's provider, shards come
/// back from their snapshots after a graceful restart, and after a SIGKILL they take from the products the changes
/// their snapshots lack.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SearchRecoveryTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    private static readonly string[] Pizzas = ["Stuffed Crust Five Cheese Pizza", "Thin & Crispy Crust Pepperoni Pizza", "Ristorante Pizza Spinaci Thin Crust Pizza"];
    private static readonly string[] Fruit = ["Organic Lemons", "Nectarines", "Pink Lady Apple", "Red Seedless Grapes Imported"];

    [Fact]
    public async Task The_silo_reports_its_encoder_provider_and_the_index_survives_restarts_and_a_SIGKILL()
    {
        // Snapshots are written only at shutdown here, so the changes made right before the kill are surely not in one.
        await using var cluster = new LocalCluster(azurite, output, new Dictionary<string, string>
        {
            ["Search:SnapshotInterval"] = "00:10:00",
            ["Search:SnapshotQuietPeriod"] = "00:10:00",
        });
        var silo = await cluster.StartSiloAsync();

        using var http = new HttpClient { BaseAddress = silo.BaseAddress };
        var health = JsonDocument.Parse(await http.GetStringAsync("/health/ready")).RootElement;
        var expectedProvider = File.Exists("/dev/nvidia0") ? "Cuda" : "Cpu";
        var siloHealth = health.GetProperty("checks").GetProperty("silo");
        Assert.Equal(expectedProvider, siloHealth.GetProperty("data").GetProperty("encoderProvider").GetString());

        // Encoder:Precision=Auto as this machine's CPU decides it (CUDA always runs floats), named with its reason.
        var expectedPrecision = expectedProvider == "Cuda" ? PrecisionChoice.OnCuda : PrecisionChoice.For(EncoderPrecision.Auto, CpuFeatures.Current);
        Assert.Equal(expectedPrecision.Precision.ToString(), siloHealth.GetProperty("data").GetProperty("encoderPrecision").GetString());
        Assert.Equal(expectedPrecision.Reason, siloHealth.GetProperty("data").GetProperty("encoderPrecisionReason").GetString());

        var category = $"aisle-{cluster.KeyPrefix}";
        var client = await cluster.ConnectClientAsync();
        await UpsertAsync(client, category, "pizza", Pizzas);
        await UpsertAsync(client, category, "fruit", Fruit);
        Assert.Equal(Pizzas.Length, await PizzasFoundAsync(client, category));

        await silo.StopAsync();
        await silo.StartAsync();
        client = await cluster.ConnectClientAsync();
        Assert.Equal(Pizzas.Length, await PizzasFoundAsync(client, category));

        // A pizza added and a fruit deleted after the last snapshot, then the kill: the shards must repair themselves.
        await UpsertAsync(client, category, "late-pizza", ["Gluten Free Chicken Rustica Pizza"]);
        Assert.True(await client.Grains.GetGrain<IProductGrain>($"{category}-fruit-0").Delete());
        silo.Kill();
        await silo.StartAsync();
        client = await cluster.ConnectClientAsync();
        var search = client.Grains.GetGrain<IProductSearchGrain>(0);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await search.RepairingShards() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        Assert.Equal(0, await search.RepairingShards());
        Assert.Equal(Pizzas.Length + 1, await PizzasFoundAsync(client, category));
        var fruit = await client.Grains.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest("fresh fruit", 10, category, false));
        Assert.Equal(Fruit.Length - 1, fruit.Hits.Count(h => h.Sku.Contains("-fruit-", StringComparison.Ordinal)));
        Assert.DoesNotContain(fruit.Hits, h => h.Sku == $"{category}-fruit-0");

        // Each test cluster has its own service id, hence its own grain-state container: only this test's products count.
        Assert.Equal(Pizzas.Length + Fruit.Length, await client.Grains.GetGrain<IProductSearchGrain>(0).IndexedCount());
        var (reindexed, indexed) = await client.Grains.ReindexCatalogueAsync();
        Assert.Equal(Pizzas.Length + Fruit.Length, reindexed);
        Assert.Equal(reindexed, indexed);
    }

    private static Task UpsertAsync(MarketingClient client, string category, string kind, string[] titles) =>
        Task.WhenAll(titles.Select((title, i) => client.Grains.GetGrain<IProductGrain>($"{category}-{kind}-{i}")
            .Upsert(new ProductInput { Title = title, Category = category, Price = 5m, Stock = 2 })));

    /// <summary>How many of the top four for "pizza" in the category are pizzas.</summary>
    private static async Task<int> PizzasFoundAsync(MarketingClient client, string category)
    {
        var results = await client.Grains.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest("pizza", 4, category, false));
        return results.Hits.Count(h => h.Title.Contains("Pizza", StringComparison.Ordinal));
    }
}
