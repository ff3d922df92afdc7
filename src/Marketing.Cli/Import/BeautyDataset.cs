using System.Globalization;
using Marketing.Abstractions.Events;

namespace Marketing.Cli.Import;

/// <summary>
/// Amazon Beauty 5-core (<c>Beauty.csv</c>: user_id,item_id,seq_pos): each row is one purchase of one item, in
/// each user's sequence order. The prepared file keeps only the order, not dates or ratings, so the events are
/// purchases (not reviews) at synthetic times: <see cref="Epoch"/> plus seq_pos days, which keeps each user's
/// sequence strictly increasing and re-imports identical. SKUs are prefixed (<c>beauty-{item_id}</c>) so they
/// cannot collide with Instacart product ids.
/// </summary>
public sealed class BeautyDataset : IDataset
{
    public const string Folder = "amazon-beauty";
    public static readonly DateTimeOffset Epoch = new(2014, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string Name => "beauty";

    public static string Sku(string itemId) => $"beauty-{itemId}";

    public ImportPlan Read(string dataDir, int? limit, DateTimeOffset now)
    {
        var tally = new StageTally("events");
        var collector = new HistoryCollector(tally, now);
        using var csv = CsvReader.Open(DataPaths.RequireFile(dataDir, $"{Folder}/Beauty.csv"));
        int userColumn = csv.Column("user_id"), itemColumn = csv.Column("item_id"), positionColumn = csv.Column("seq_pos");
        foreach (var row in csv.Rows(limit))
        {
            tally.RowRead();
            if (!RowFields.TryInt(row, userColumn, "user_id", tally, out var user)
                || !RowFields.TryInt(row, itemColumn, "item_id", tally, out var item)
                || !RowFields.TryInt(row, positionColumn, "seq_pos", tally, out var position))
            {
                continue;
            }

            var id = $"beauty-{user.ToString(CultureInfo.InvariantCulture)}-{position.ToString(CultureInfo.InvariantCulture)}";
            collector.Add($"beauty-{user.ToString(CultureInfo.InvariantCulture)}", new ShopperEvent
            {
                EventId = id,
                Type = ShopperEventType.Purchase,
                Timestamp = Epoch.AddDays(position),
                OrderId = id,
                Lines = [new OrderLine(Sku(item.ToString(CultureInfo.InvariantCulture)), 1, 0m)],
            }, rows: 1);
        }

        return new([], new StageTally("products"), collector.Build(), tally);
    }
}
