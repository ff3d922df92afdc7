using System.Globalization;
using Marketing.Abstractions.Events;
using Marketing.Cli.Import;

namespace Marketing.Cli.Benchmarks;

/// <summary>
/// Makes shopper traffic that looks like a shop's: mostly views and clicks, some searches and cart changes, a few
/// purchases, over real Instacart SKUs drawn by how often they were bought (synthetic SKUs when the data is absent),
/// for shoppers drawn uniformly from a fixed population. Seeded, so two runs offer the same traffic.
/// </summary>
public sealed class LoadEventFactory
{
    private static readonly string[] FallbackQueries = ["milk", "bread", "organic bananas", "coffee", "pasta sauce", "yogurt"];

    private readonly Random _random;
    private readonly string[] _skus;
    private readonly string[] _queries;
    private readonly int _shoppers;
    private readonly string _runId;
    private long _sequence;

    public LoadEventFactory(IReadOnlyList<string> skus, IReadOnlyList<string> queries, int shoppers, string runId, int seed = 42)
    {
        _skus = skus.Count > 0 ? [.. skus] : [.. Enumerable.Range(1, 10_000).Select(i => $"sku-{i}")];
        _queries = queries.Count > 0 ? [.. queries] : FallbackQueries;
        _shoppers = shoppers;
        _runId = runId;
        _random = new Random(seed);
    }

    /// <summary>Order lines of the Instacart excerpt (one SKU per bought line) and aisle names as search queries.</summary>
    public static (IReadOnlyList<string> Skus, IReadOnlyList<string> Queries, string Source) LoadCatalogue(string dataDir)
    {
        try
        {
            using var lines = CsvReader.Open(InstacartDataset.OrderLinesPath(dataDir));
            var product = lines.Column("product_id");
            var skus = lines.Rows().Select(r => r[product]).Where(s => s.Length > 0).ToList();
            using var aisles = CsvReader.Open(DataPaths.RequireFile(dataDir, $"{InstacartDataset.Folder}/aisles.csv"));
            var aisle = aisles.Column("aisle");
            var queries = aisles.Rows().Select(r => r[aisle]).Where(q => q is not ("missing" or "")).ToList();
            return (skus, queries, $"{skus.Distinct().Count():N0} Instacart SKUs weighted by purchases");
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or DirectoryNotFoundException)
        {
            return ([], [], "10,000 synthetic SKUs (Instacart data not found)");
        }
    }

    public string ShopperId(int index) => $"bench-shopper-{index.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>One request's worth: a random shopper and <paramref name="count"/> of their events. Not thread-safe.</summary>
    public (string UserId, ShopperEvent[] Events) Next(int count)
    {
        var userId = ShopperId(_random.Next(_shoppers));
        var events = new ShopperEvent[count];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            events[i] = NextEvent(now);
        }

        return (userId, events);
    }

    private ShopperEvent NextEvent(DateTimeOffset now)
    {
        var id = $"bench-{_runId}-{(++_sequence).ToString(CultureInfo.InvariantCulture)}";
        var roll = _random.Next(100);
        var sku = _skus[_random.Next(_skus.Length)];
        return roll switch
        {
            < 55 => new ShopperEvent { EventId = id, Type = ShopperEventType.View, Timestamp = now, Sku = sku },
            < 75 => new ShopperEvent { EventId = id, Type = ShopperEventType.Click, Timestamp = now, Sku = sku },
            < 83 => new ShopperEvent { EventId = id, Type = ShopperEventType.Search, Timestamp = now, Query = _queries[_random.Next(_queries.Length)] },
            < 93 => new ShopperEvent { EventId = id, Type = ShopperEventType.AddToCart, Timestamp = now, Sku = sku, Quantity = 1 + _random.Next(3), Price = Price() },
            < 95 => new ShopperEvent { EventId = id, Type = ShopperEventType.RemoveFromCart, Timestamp = now, Sku = sku, Quantity = 1 },
            _ => Purchase(id, now),
        };
    }

    private ShopperEvent Purchase(string id, DateTimeOffset now)
    {
        var lines = Enumerable.Range(0, 1 + _random.Next(4))
            .Select(_ => new OrderLine(_skus[_random.Next(_skus.Length)], 1 + _random.Next(3), Price()))
            .ToArray();
        return new ShopperEvent
        {
            EventId = id,
            Type = ShopperEventType.Purchase,
            Timestamp = now,
            OrderId = id,
            Lines = [.. lines],
            Amount = lines.Sum(l => l.Price * l.Quantity),
        };
    }

    // Instacart publishes no prices: the load test uses plausible grocery prices so monetary counters move.
    private decimal Price() => Math.Round(0.5m + ((decimal)_random.NextDouble() * 19.5m), 2);
}
