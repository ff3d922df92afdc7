using System.Collections.Immutable;
using System.Globalization;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;

namespace Marketing.Cli.Import;

/// <summary>
/// MovieLens 100K: each movie in <c>items.csv</c> becomes a product (category = its first genre, all genres in the
/// <c>genres</c> attribute); each row of <c>ratings.csv</c> becomes a review with the real rating and Unix time.
/// SKUs are prefixed (<c>movielens-{item_id}</c>) so they cannot collide with Instacart product ids.
/// </summary>
public sealed class MovieLensDataset : IDataset
{
    public const string Folder = "movielens-100k";
    private const string GenrePrefix = "genre_";

    public string Name => "movielens";

    public static string Sku(string itemId) => $"movielens-{itemId}";

    public ImportPlan Read(string dataDir, int? limit, DateTimeOffset now)
    {
        var (products, productStage) = ReadMovies(dataDir, limit);
        var (shoppers, eventStage) = ReadRatings(dataDir, limit, now);
        return new(products, productStage, shoppers, eventStage);
    }

    public static (IReadOnlyList<ProductRecord>, StageTally) ReadMovies(string dataDir, int? limit)
    {
        var tally = new StageTally("products");
        var collector = new ProductCollector(tally);
        using var csv = CsvReader.Open(DataPaths.RequireFile(dataDir, $"{Folder}/items.csv"));
        int idColumn = csv.Column("item_id"), titleColumn = csv.Column("title"), releaseColumn = csv.Column("release_date");
        var genres = csv.Header
            .Where(h => h.StartsWith(GenrePrefix, StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h[GenrePrefix.Length..], Column: csv.Column(h)))
            .OrderBy(g => g.Column)
            .ToList();
        foreach (var row in csv.Rows(limit))
        {
            tally.RowRead();
            if (!RowFields.TryInt(row, idColumn, "item_id", tally, out var id))
            {
                continue;
            }

            var movieGenres = genres.Where(g => row[g.Column] == "1").Select(g => g.Name).ToList();
            var attributes = ImmutableDictionary<string, string>.Empty.Add("genres", string.Join('|', movieGenres));
            if (row[releaseColumn].Length > 0)
            {
                attributes = attributes.Add("releaseDate", row[releaseColumn]);
            }

            collector.Add(Sku(id.ToString(CultureInfo.InvariantCulture)), new ProductInput
            {
                Title = row[titleColumn].Trim(),
                Category = movieGenres.FirstOrDefault() ?? "unknown",
                Price = 0m,
                Stock = InstacartDataset.PlaceholderStock,
                Attributes = attributes,
            });
        }

        return (collector.Build(), tally);
    }

    public static (IReadOnlyList<ShopperHistory>, StageTally) ReadRatings(string dataDir, int? limit, DateTimeOffset now)
    {
        var tally = new StageTally("events");
        var collector = new HistoryCollector(tally, now);
        using var csv = CsvReader.Open(DataPaths.RequireFile(dataDir, $"{Folder}/ratings.csv"));
        int userColumn = csv.Column("user_id"), itemColumn = csv.Column("item_id");
        int ratingColumn = csv.Column("rating"), timeColumn = csv.Column("timestamp");
        foreach (var row in csv.Rows(limit))
        {
            tally.RowRead();
            if (!RowFields.TryInt(row, userColumn, "user_id", tally, out var user)
                || !RowFields.TryInt(row, itemColumn, "item_id", tally, out var item)
                || !RowFields.TryInt(row, ratingColumn, "rating", tally, out var rating)
                || !RowFields.TryLong(row, timeColumn, "timestamp", tally, out var seconds))
            {
                continue;
            }

            var userId = user.ToString(CultureInfo.InvariantCulture);
            var itemId = item.ToString(CultureInfo.InvariantCulture);
            collector.Add($"movielens-{userId}", new ShopperEvent
            {
                EventId = $"movielens-{userId}-{itemId}",
                Type = ShopperEventType.Review,
                Timestamp = DateTimeOffset.FromUnixTimeSeconds(seconds),
                Sku = Sku(itemId),
                Rating = rating,
            }, rows: 1);
        }

        return (collector.Build(), tally);
    }
}
