using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Marketing.Grains.Products;

/// <summary>
/// One string per SKU for what a silo keeps. Each event arrives with its own copy of its SKU; what outlives the event
/// (a shopper's recent events, cart and pending touches, the silo's product tally) refers to this copy instead, so
/// the event's copy dies young and a collection has that much less to carry over. Bounded, since callers name SKUs:
/// past <see cref="Capacity"/> distinct ones, new SKUs are kept as they came.
/// </summary>
public static class SkuStrings
{
    public const int Capacity = 200_000;

    private static readonly ConcurrentDictionary<string, string> Shared = new(StringComparer.Ordinal);
    private static int _count;

    [return: NotNullIfNotNull(nameof(sku))]
    public static string? Share(string? sku)
    {
        if (sku is null)
        {
            return null;
        }

        if (Shared.TryGetValue(sku, out var shared))
        {
            return shared;
        }

        if (Volatile.Read(ref _count) >= Capacity)
        {
            return sku;
        }

        if (Shared.TryAdd(sku, sku))
        {
            Interlocked.Increment(ref _count);
            return sku;
        }

        return Shared.TryGetValue(sku, out shared) ? shared : sku;
    }
}
