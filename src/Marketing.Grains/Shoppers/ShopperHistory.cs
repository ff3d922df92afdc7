using System.Collections.Immutable;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Events;
using Marketing.Grains.Products;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// How logged events change a shopper's state. Pure and deterministic, so applying a record live and replaying it
/// from the log after a crash give the same state.
/// </summary>
public static class ShopperHistory
{
    public const int MaxCartLines = 100;

    public static void Apply(ShopperState state, LoggedEvent record, EventIntakeOptions options, int maxPendingInterest)
    {
        state.Seq = Math.Max(state.Seq, record.Seq);
        Remember(state, EventIdHash(record.Event.EventId), options.DedupeWindow);
        state.Exists = true;
        state.EventCount++;
        if (record.Bot)
        {
            // Bot traffic is kept in the log (it was acknowledged) but stays out of value, history and models.
            state.IsBot = true;
            return;
        }

        var e = record.Event;
        state.FirstSeenAt = Min(state.FirstSeenAt, e.Timestamp);
        state.LastSeenAt = Max(state.LastSeenAt, e.Timestamp);
        AddRecent(state, new RecentEvent(e.Type, e.Timestamp, SkuStrings.Share(e.Type == ShopperEventType.Purchase ? e.Lines[0].Sku : e.Sku)), options.RecentEvents);
        if (state.Consent.Personalisation)
        {
            AddInterestTouches(state, e, maxPendingInterest);
        }

        switch (e.Type)
        {
            case ShopperEventType.AddToCart:
                ChangeCart(state, e.Sku!, e.Quantity, e.Price);
                break;
            case ShopperEventType.RemoveFromCart:
                ChangeCart(state, e.Sku!, -e.Quantity, null);
                break;
            case ShopperEventType.Purchase:
                state.Orders++;
                state.Monetary += e.Amount ?? e.Lines.Sum(l => l.Price * l.Quantity);
                state.LastPurchaseAt = Max(state.LastPurchaseAt, e.Timestamp);
                foreach (var line in e.Lines)
                {
                    state.Cart?.RemoveAll(c => c.Sku == line.Sku);
                }

                break;
        }
    }

    /// <summary>True when this event id was seen within the dedupe window.</summary>
    public static bool SeenRecently(ShopperState state, long idHash) =>
        state.RecentIds is { } ids && Array.IndexOf(ids, idHash) >= 0;

    /// <summary>
    /// Counts live events into the current one-second window; true when the shopper now exceeds the bot threshold.
    /// </summary>
    public static bool ExceedsRate(ShopperState state, int events, DateTimeOffset now, int maxPerSecond)
    {
        var second = now.ToUnixTimeSeconds();
        if (state.RateSecond != second)
        {
            state.RateSecond = second;
            state.RateCount = 0;
        }

        state.RateCount += events;
        return state.RateCount > maxPerSecond;
    }

    /// <summary>A stable 64-bit FNV-1a hash of an event id (string.GetHashCode differs per process).</summary>
    public static long EventIdHash(string eventId)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in eventId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        // Zero marks an empty ring slot.
        return hash == 0 ? 1 : (long)hash;
    }

    public static ShopperView ToView(string shopper, ShopperState s) => new()
    {
        Shopper = shopper,
        Exists = s.Exists,
        Attributes = s.Attributes?.ToImmutableDictionary() ?? ImmutableDictionary<string, string>.Empty,
        Consent = s.Consent,
        Cart = s.Cart is null ? [] : [.. s.Cart],
        Value = new CustomerValue(s.FirstSeenAt, s.LastSeenAt, s.LastPurchaseAt, s.Orders, s.Monetary),
        EventCount = s.EventCount,
        RecentEvents = s.Recent is null ? [] : [.. s.Recent],
        IsBot = s.IsBot,
        HasInterestEmbedding = s.InterestEmbedding is not null,
    };

    /// <summary>
    /// Keeps the event id's hash in the shopper's ring of the last <paramref name="window"/> ids. The ring starts at 4
    /// and doubles as it fills (most shoppers send a few events), so a one-event shopper holds 56 bytes of it, not 536.
    /// </summary>
    private static void Remember(ShopperState state, long idHash, int window)
    {
        var ids = state.RecentIds;
        var next = state.RecentIdsNext;
        if (ids is null || ids.Length > window || (ids.Length < window && (ids[^1] != 0 || next >= ids.Length)))
        {
            // The first id, a smaller window than before, or a full ring below the window: the newest ids, oldest
            // first, into a new array.
            var size = ids is null ? Math.Min(4, window) : ids.Length > window ? window : Math.Min(ids.Length * 2, window);
            var resized = new long[size];
            var kept = 0;
            if (ids is not null)
            {
                var oldest = next % ids.Length;
                kept = Math.Min(ids.Length, size);
                for (var i = 0; i < kept; i++)
                {
                    resized[i] = ids[(oldest + ids.Length - kept + i) % ids.Length];
                }
            }

            state.RecentIds = ids = resized;
            next = kept % size;
        }

        ids[next] = idHash;
        state.RecentIdsNext = next + 1 < ids.Length || ids.Length < window ? next + 1 : 0;
    }

    private static void AddRecent(ShopperState state, RecentEvent recent, int capacity)
    {
        var list = state.Recent ??= new List<RecentEvent>(Math.Min(capacity, 4));
        var at = list.Count;
        while (at > 0 && list[at - 1].Timestamp > recent.Timestamp)
        {
            at--;
        }

        if (list.Count >= capacity)
        {
            if (at == 0)
            {
                return; // older than everything we keep
            }

            list.RemoveAt(0);
            at--;
        }

        list.Insert(at, recent);
    }

    private static void AddInterestTouches(ShopperState state, ShopperEvent e, int capacity)
    {
        foreach (var touch in InterestSignals.Of(e))
        {
            var pending = state.PendingInterest ??= [];
            if (pending.Count >= capacity)
            {
                pending.RemoveAt(0);
            }

            pending.Add(touch with { Sku = SkuStrings.Share(touch.Sku) });
        }
    }

    private static void ChangeCart(ShopperState state, string sku, int delta, decimal? price)
    {
        var cart = state.Cart ??= [];
        var i = cart.FindIndex(c => c.Sku == sku);
        var quantity = (i >= 0 ? cart[i].Quantity : 0) + delta;
        if (quantity <= 0)
        {
            if (i >= 0)
            {
                cart.RemoveAt(i);
            }
        }
        else if (i >= 0)
        {
            cart[i] = cart[i] with { Quantity = quantity, Price = price ?? cart[i].Price };
        }
        else if (cart.Count < MaxCartLines)
        {
            cart.Add(new CartLine(SkuStrings.Share(sku), quantity, price));
        }

        if (cart.Count == 0)
        {
            state.Cart = null;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
