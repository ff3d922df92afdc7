using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;

namespace Marketing.Grains.Products;

/// <summary>
/// Per-silo tally of product interactions, handed to product grains every few seconds as one call per product
/// instead of one call per event. A killed silo loses at most the last interval's tally; the log still holds the events.
/// </summary>
public sealed class ProductStatsBuffer
{
    private readonly Lock _lock = new();
    private Dictionary<(string Sku, DateOnly Day), Tally> _counts = [];

    // The tally drained last time, emptied, for the next interval: its tables are already grown (and old).
    private Dictionary<(string Sku, DateOnly Day), Tally>? _spare;

    public void Record(ShopperEvent e)
    {
        var slot = e.Type switch
        {
            ShopperEventType.View => 0,
            ShopperEventType.Click => 1,
            ShopperEventType.AddToCart => 2,
            ShopperEventType.Purchase => 3,
            ShopperEventType.Review => 4,
            _ => -1,
        };
        if (slot < 0)
        {
            return;
        }

        var day = DateOnly.FromDateTime(e.Timestamp.UtcDateTime);
        lock (_lock)
        {
            foreach (var sku in e.Skus())
            {
                ref var tally = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, (SkuStrings.Share(sku), day), out _);
                tally[slot]++;
            }
        }
    }

    /// <summary>
    /// Puts back counts a product activation held but did not write (it was deactivated without writing): the next
    /// hand-over gives them to the product's next activation.
    /// </summary>
    public void Return(string sku, IEnumerable<DailyProductStats> days)
    {
        lock (_lock)
        {
            foreach (var day in days)
            {
                ref var tally = ref CollectionsMarshal.GetValueRefOrAddDefault(_counts, (SkuStrings.Share(sku), day.Day), out _);
                tally[0] += day.Views;
                tally[1] += day.Clicks;
                tally[2] += day.AddsToCart;
                tally[3] += day.Purchases;
                tally[4] += day.Reviews;
            }
        }
    }

    /// <summary>Takes everything tallied so far, grouped by SKU.</summary>
    public IReadOnlyList<(string Sku, ImmutableArray<DailyProductStats> Days)> Drain()
    {
        Dictionary<(string Sku, DateOnly Day), Tally> taken;
        lock (_lock)
        {
            taken = _counts;
            _counts = _spare ?? [];
            _spare = null;
        }

        IReadOnlyList<(string Sku, ImmutableArray<DailyProductStats> Days)> drained = [.. taken
            .GroupBy(p => p.Key.Sku)
            .Select(g => (g.Key, g.Select(p => new DailyProductStats(p.Key.Day, p.Value[0], p.Value[1], p.Value[2], p.Value[3], p.Value[4])).ToImmutableArray()))];
        taken.Clear();
        lock (_lock)
        {
            _spare ??= taken;
        }

        return drained;
    }

    /// <summary>One product-day's counts by interaction, held in the table itself rather than an array each.</summary>
    [InlineArray(5)]
    private struct Tally
    {
        private int _count;
    }
}
