using System.Collections.Immutable;
using System.Globalization;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;

namespace Marketing.Cli.Import;

/// <summary>
/// Instacart 2017: <c>products.csv</c> with aisle and department names becomes the catalogue; each order in
/// <c>order_products__train*.csv</c> becomes one purchase.
/// <para>
/// The public files carry no prices, so products get <see cref="PlaceholderPrice"/> (0, "unknown") and a demo
/// <see cref="PlaceholderStock"/>. Without <c>orders.csv</c> nothing says who placed an order or when, so each
/// order is its own shopper (<c>instacart-order-{id}</c>) at a stable synthetic time, <see cref="Epoch"/> plus
/// order_id minutes, so re-imports produce identical events. With <c>orders.csv</c> the real user id is used and
/// the time is the epoch plus the user's cumulative days_since_prior_order and the order's hour of day.
/// </para>
/// </summary>
public sealed class InstacartDataset : IDataset
{
    public const string Folder = "instacart";
    public const decimal PlaceholderPrice = 0m;
    public const int PlaceholderStock = 100;
    public static readonly DateTimeOffset Epoch = new(2017, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Name => "instacart";

    public ImportPlan Read(string dataDir, int? limit, DateTimeOffset now)
    {
        var (products, productStage) = ReadProducts(dataDir, limit);
        var (shoppers, eventStage) = ReadOrders(dataDir, limit, now);
        return new(products, productStage, shoppers, eventStage);
    }

    public static (IReadOnlyList<ProductRecord>, StageTally) ReadProducts(string dataDir, int? limit)
    {
        var tally = new StageTally("products");
        var aisles = ReadNames(DataPaths.RequireFile(dataDir, $"{Folder}/aisles.csv"), "aisle_id", "aisle");
        var departments = ReadNames(DataPaths.RequireFile(dataDir, $"{Folder}/departments.csv"), "department_id", "department");
        var collector = new ProductCollector(tally);

        using var csv = CsvReader.Open(DataPaths.RequireFile(dataDir, $"{Folder}/products.csv"));
        int idColumn = csv.Column("product_id"), nameColumn = csv.Column("product_name");
        int aisleColumn = csv.Column("aisle_id"), departmentColumn = csv.Column("department_id");
        foreach (var row in csv.Rows(limit))
        {
            tally.RowRead();
            if (!RowFields.TryInt(row, idColumn, "product_id", tally, out var id))
            {
                continue;
            }

            if (!aisles.TryGetValue(row[aisleColumn], out var aisle))
            {
                tally.Reject("aisle_id: not in aisles.csv");
                continue;
            }

            if (!departments.TryGetValue(row[departmentColumn], out var department))
            {
                tally.Reject("department_id: not in departments.csv");
                continue;
            }

            collector.Add(id.ToString(CultureInfo.InvariantCulture), new ProductInput
            {
                Title = CleanName(row[nameColumn]),
                Category = aisle,
                Brand = null,
                Price = PlaceholderPrice,
                Stock = PlaceholderStock,
                Attributes = ImmutableDictionary<string, string>.Empty
                    .Add("department", department)
                    .Add("aisle", aisle),
            });
        }

        return (collector.Build(), tally);
    }

    /// <summary>
    /// One purchase per order, lines in add-to-cart order. <paramref name="limit"/> counts order lines, so the
    /// last order read may be cut short.
    /// </summary>
    public static (IReadOnlyList<ShopperHistory>, StageTally) ReadOrders(string dataDir, int? limit, DateTimeOffset now)
    {
        var tally = new StageTally("events");
        var linesPath = OrderLinesPath(dataDir);
        var ordersPath = Path.Combine(dataDir, Folder, "orders.csv");
        var placedBy = File.Exists(ordersPath) ? ReadOrderOwners(ordersPath) : null;

        var orders = new Dictionary<long, List<(int Position, string Sku)>>();
        var orderSequence = new List<long>();
        using (var csv = CsvReader.Open(linesPath))
        {
            int orderColumn = csv.Column("order_id"), productColumn = csv.Column("product_id");
            int positionColumn = csv.HasColumn("add_to_cart_order") ? csv.Column("add_to_cart_order") : -1;
            foreach (var row in csv.Rows(limit))
            {
                tally.RowRead();
                if (!RowFields.TryLong(row, orderColumn, "order_id", tally, out var orderId)
                    || !RowFields.TryInt(row, productColumn, "product_id", tally, out var productId))
                {
                    continue;
                }

                var position = positionColumn >= 0 && int.TryParse(row[positionColumn], CultureInfo.InvariantCulture, out var p) ? p : int.MaxValue;
                if (!orders.TryGetValue(orderId, out var lines))
                {
                    lines = [];
                    orders.Add(orderId, lines);
                    orderSequence.Add(orderId);
                }

                lines.Add((position, productId.ToString(CultureInfo.InvariantCulture)));
            }
        }

        var collector = new HistoryCollector(tally, now);
        foreach (var orderId in orderSequence)
        {
            var rows = orders[orderId];
            var id = orderId.ToString(CultureInfo.InvariantCulture);
            string userId;
            DateTimeOffset timestamp;
            if (placedBy is null)
            {
                userId = $"instacart-order-{id}";
                timestamp = Epoch.AddMinutes(orderId);
            }
            else if (placedBy.TryGetValue(orderId, out var owner))
            {
                (userId, timestamp) = ($"instacart-user-{owner.UserId}", owner.PlacedAt);
            }
            else
            {
                tally.Reject("order_id: not in orders.csv", rows.Count);
                continue;
            }

            // A product listed twice in one order is one line with a larger quantity.
            var lines = rows.OrderBy(l => l.Position)
                .GroupBy(l => l.Sku, StringComparer.Ordinal)
                .Select(g => new OrderLine(g.Key, g.Count(), PlaceholderPrice))
                .ToImmutableArray();
            collector.Add(userId, new ShopperEvent
            {
                EventId = $"instacart-order-{id}",
                Type = ShopperEventType.Purchase,
                Timestamp = timestamp,
                OrderId = id,
                Lines = lines,
            }, rows.Count);
        }

        return (collector.Build(), tally);
    }

    /// <summary>The full train file when present, else the first-orders excerpt kept in the shared data.</summary>
    public static string OrderLinesPath(string dataDir)
    {
        var full = Path.Combine(dataDir, Folder, "order_products__train.csv");
        return File.Exists(full) ? full : DataPaths.RequireFile(dataDir, $"{Folder}/order_products__train_head.csv");
    }

    /// <summary>Instacart's export escapes inner quotes as <c>\"</c> inside a quoted field; the title wants plain quotes.</summary>
    public static string CleanName(string name) => name.Replace("\\\"", "\"", StringComparison.Ordinal).Trim();

    /// <summary>
    /// Who placed each order and when: orders.csv has only relative times, so a user's orders are laid out from
    /// the epoch by cumulative days_since_prior_order, at the order's hour of day.
    /// </summary>
    public static Dictionary<long, (string UserId, DateTimeOffset PlacedAt)> ReadOrderOwners(string path)
    {
        var byUser = new Dictionary<string, List<(long OrderId, int Number, double DaysSincePrior, int Hour)>>(StringComparer.Ordinal);
        using (var csv = CsvReader.Open(path))
        {
            int orderColumn = csv.Column("order_id"), userColumn = csv.Column("user_id"), numberColumn = csv.Column("order_number");
            int hourColumn = csv.Column("order_hour_of_day"), daysColumn = csv.Column("days_since_prior_order");
            foreach (var row in csv.Rows())
            {
                if (!long.TryParse(row[orderColumn], CultureInfo.InvariantCulture, out var orderId)
                    || !int.TryParse(row[numberColumn], CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                _ = double.TryParse(row[daysColumn], CultureInfo.InvariantCulture, out var days);
                _ = int.TryParse(row[hourColumn], CultureInfo.InvariantCulture, out var hour);
                var user = row[userColumn];
                if (!byUser.TryGetValue(user, out var list))
                {
                    list = [];
                    byUser.Add(user, list);
                }

                list.Add((orderId, number, days, hour));
            }
        }

        var owners = new Dictionary<long, (string, DateTimeOffset)>();
        foreach (var (user, list) in byUser)
        {
            var day = 0.0;
            foreach (var order in list.OrderBy(o => o.Number))
            {
                day += order.DaysSincePrior;
                owners[order.OrderId] = (user, Epoch.AddDays(Math.Floor(day)).AddHours(order.Hour));
            }
        }

        return owners;
    }

    private static Dictionary<string, string> ReadNames(string path, string idColumn, string nameColumn)
    {
        using var csv = CsvReader.Open(path);
        int id = csv.Column(idColumn), name = csv.Column(nameColumn);
        return csv.Rows().ToDictionary(r => r[id].Trim(), r => r[name].Trim(), StringComparer.Ordinal);
    }
}
