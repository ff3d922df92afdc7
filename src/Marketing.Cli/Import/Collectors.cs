using System.Globalization;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;

namespace Marketing.Cli.Import;

/// <summary>Field parsing that rejects the row (with a reason naming the column) instead of throwing.</summary>
public static class RowFields
{
    public static bool TryInt(CsvRow row, int column, string name, StageTally tally, out int value)
    {
        if (int.TryParse(row[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        tally.Reject($"{name}: not a whole number");
        return false;
    }

    public static bool TryLong(CsvRow row, int column, string name, StageTally tally, out long value)
    {
        if (long.TryParse(row[column], NumberStyles.Integer, CultureInfo.InvariantCulture, out value))
        {
            return true;
        }

        tally.Reject($"{name}: not a whole number");
        return false;
    }
}

/// <summary>Validates products with <see cref="ProductRules"/> and keeps the first of any repeated SKU.</summary>
public sealed class ProductCollector(StageTally tally)
{
    private readonly List<ProductRecord> _products = [];
    private readonly HashSet<string> _skus = new(StringComparer.Ordinal);

    public void Add(string sku, ProductInput input)
    {
        var errors = new List<FieldError>();
        ProductRules.Validate(sku, input, "", errors);
        if (errors.Count > 0)
        {
            tally.Reject(errors);
        }
        else if (!_skus.Add(sku))
        {
            tally.AddDuplicates(1);
        }
        else
        {
            tally.RecordBuilt();
            _products.Add(new(sku, input));
        }
    }

    public IReadOnlyList<ProductRecord> Build() => _products;
}

/// <summary>
/// Validates events with <see cref="ShopperEventValidator"/> (the same rules as the gateway and the grain), drops
/// event ids repeated within the file, and groups the rest per shopper in time order.
/// </summary>
public sealed class HistoryCollector(StageTally tally, DateTimeOffset now)
{
    private readonly Dictionary<string, List<SourcedEvent>> _byUser = new(StringComparer.Ordinal);
    private readonly List<string> _userOrder = [];
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);

    public void Add(string userId, ShopperEvent e, int rows)
    {
        var errors = new List<FieldError>();
        ShopperEventValidator.RequireId(userId, "userId", errors);
        ShopperEventValidator.Validate(e, "event", now, errors);
        if (errors.Count > 0)
        {
            tally.Reject(errors, rows);
            return;
        }

        if (!_eventIds.Add(e.EventId))
        {
            tally.AddDuplicates(1);
            return;
        }

        tally.RecordBuilt();
        if (!_byUser.TryGetValue(userId, out var events))
        {
            events = [];
            _byUser.Add(userId, events);
            _userOrder.Add(userId);
        }

        events.Add(new(e, rows));
    }

    public IReadOnlyList<ShopperHistory> Build() =>
        [.. _userOrder.Select(u => new ShopperHistory(u, [.. _byUser[u].OrderBy(e => e.Event.Timestamp)]))];
}
