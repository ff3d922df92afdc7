using Marketing.Abstractions.Events;
using Marketing.Grains.Events;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// The silo's statistics over every shopper's events, for the sources that need no training: co-purchase (products
/// in the same order), next-item transitions (what a shopper touched after what), popularity (weighted, negatives
/// subtract) and trending (the same, decaying with <see cref="RecommendationOptions.TrendingHalfLife"/> in event
/// time). Each silo keeps its own copy, fed at once by its own acknowledgements (<see cref="InteractionsSubscriber"/>)
/// and within a poll interval by every silo's through the log cursor (<see cref="InteractionsLogFollower"/>), which
/// also rebuilds it from the log after a restart. One lock: a write is a few dictionary updates, a read copies a few
/// dozen entries out.
/// </summary>
public sealed class ItemInteractions(IOptions<RecommendationOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ShopperTrail> _shoppers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, float>> _together = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, float>> _next = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _popularity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _trending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _erasures = new(StringComparer.Ordinal);
    private readonly double _trendTau = options.Value.TrendingHalfLife.TotalSeconds / Math.Log(2);
    private DateTimeOffset? _trendReference;
    private TopList _topPopular = TopList.Empty;
    private TopList _topTrending = TopList.Empty;
    private long _version;

    /// <summary>Events counted so far (after dedupe), for status and tests.</summary>
    public long Events { get; private set; }

    public int Shoppers
    {
        get
        {
            lock (_lock)
            {
                return _shoppers.Count;
            }
        }
    }

    /// <summary>Folds acknowledged records in; an event already counted (same shopper and event id) is skipped. Bots' are left out.</summary>
    public void Add(IEnumerable<LoggedEvent> records)
    {
        lock (_lock)
        {
            foreach (var record in records)
            {
                // A batch still queued for the subscriber when the erasure was applied must not bring the shopper back.
                if (record.Bot || record.IsErasedBy(_erasures))
                {
                    continue;
                }

                if (!_shoppers.TryGetValue(record.Shopper, out var trail))
                {
                    _shoppers[record.Shopper] = trail = new ShopperTrail();
                }

                if (!trail.EventIds.Add(record.Event.EventId))
                {
                    continue;
                }

                Events++;
                _version++;
                AddEvent(trail, record);
            }
        }
    }

    /// <summary>Takes out everything the shopper logged up to <paramref name="erasedAt"/>. Returns whether anything was there.</summary>
    public bool Erase(string shopper, DateTimeOffset erasedAt)
    {
        lock (_lock)
        {
            _erasures[shopper] = erasedAt;
            if (!_shoppers.TryGetValue(shopper, out var trail))
            {
                return false;
            }

            foreach (var touch in trail.Touches.Where(t => t.LoggedAt <= erasedAt))
            {
                Bump(_popularity, touch.Sku, -touch.Weight);
                Bump(_trending, touch.Sku, -touch.Weight * Math.Exp(touch.TrendExponent - Exponent(_trendReference)));
                if (touch.Previous is not null)
                {
                    BumpPair(_next, touch.Previous, touch.Sku, -touch.Weight);
                }
            }

            foreach (var basket in trail.Baskets.Where(b => b.LoggedAt <= erasedAt))
            {
                CountBasket(basket.Skus, -1);
            }

            // What they did after the erasure (the shopper came back) stays, and can be erased again.
            trail.Touches.RemoveAll(t => t.LoggedAt <= erasedAt);
            trail.Baskets.RemoveAll(b => b.LoggedAt <= erasedAt);
            if (trail.Touches.Count == 0 && trail.Baskets.Count == 0)
            {
                _shoppers.Remove(shopper);
            }
            else
            {
                trail.Bought.Clear();
                trail.Bought.UnionWith(trail.Baskets.SelectMany(b => b.Skus));
            }

            _version++;
            return true;
        }
    }

    /// <summary>What the shopper bought, as far as this silo's statistics know.</summary>
    public IReadOnlySet<string> BoughtBy(string shopper)
    {
        lock (_lock)
        {
            return _shoppers.TryGetValue(shopper, out var trail) ? trail.Bought.ToHashSet(StringComparer.Ordinal) : new HashSet<string>();
        }
    }

    /// <summary>Products bought in the same order as <paramref name="sku"/>, scored by how often, damped by their own popularity.</summary>
    public List<(string Sku, float Score)> BoughtWith(string sku, int count) => Neighbours(_together, sku, count, damp: true);

    /// <summary>Products shoppers touched next after <paramref name="sku"/>, by weight.</summary>
    public List<(string Sku, float Score)> NextAfter(string sku, int count) => Neighbours(_next, sku, count, damp: false);

    /// <summary>How many orders held <paramref name="sku"/>.</summary>
    public float OrdersWith(string sku)
    {
        lock (_lock)
        {
            return _orders.GetValueOrDefault(sku);
        }
    }

    public IReadOnlyList<(string Sku, float Score)> Popular(int count) => Top(ref _topPopular, _popularity, count);

    public IReadOnlyList<(string Sku, float Score)> Trending(int count) => Top(ref _topTrending, _trending, count);

    private void AddEvent(ShopperTrail trail, LoggedEvent record)
    {
        var e = record.Event;
        var weight = InteractionWeights.Of(e);
        if (weight == 0)
        {
            return;
        }

        var skus = e.Skus().Distinct(StringComparer.Ordinal).ToArray();
        var exponent = TrendExponent(e.Timestamp);
        foreach (var sku in skus)
        {
            // A transition is a step forward to something wanted; a removal or poor review is not one.
            var previous = weight > 0 && trail.LastSku is { } last && last != sku ? last : null;
            trail.Touches.Add(new Touch(sku, weight, previous, exponent, record.LoggedAt));
            Bump(_popularity, sku, weight);
            Bump(_trending, sku, weight * Math.Exp(exponent - Exponent(_trendReference)));
            if (previous is not null)
            {
                BumpPair(_next, previous, sku, weight);
            }

            if (weight > 0)
            {
                trail.LastSku = sku;
            }
        }

        if (e.Type == ShopperEventType.Purchase)
        {
            trail.Bought.UnionWith(skus);
            trail.Baskets.Add(new Basket(skus, record.LoggedAt));
            CountBasket(skus, +1);
        }
    }

    private void CountBasket(string[] skus, int sign)
    {
        foreach (var a in skus)
        {
            Bump(_orders, a, (float)sign);
            foreach (var b in skus)
            {
                if (!ReferenceEquals(a, b) && a != b)
                {
                    BumpPair(_together, a, b, sign);
                }
            }
        }
    }

    /// <summary>
    /// Trending sums weight × e^(t/τ) relative to a reference time that moves forward with the events, so the
    /// numbers stay finite; when an event is far past the reference every sum is scaled down to a new one.
    /// </summary>
    private double TrendExponent(DateTimeOffset at)
    {
        _trendReference ??= at;
        var exponent = (at - DateTimeOffset.UnixEpoch).TotalSeconds / _trendTau;
        if (exponent - Exponent(_trendReference) > 50)
        {
            var scale = Math.Exp(Exponent(_trendReference) - exponent);
            foreach (var key in _trending.Keys.ToList())
            {
                _trending[key] *= scale;
            }

            _trendReference = at;
        }

        return exponent;
    }

    private double Exponent(DateTimeOffset? reference) =>
        reference is { } r ? (r - DateTimeOffset.UnixEpoch).TotalSeconds / _trendTau : 0;

    private List<(string Sku, float Score)> Neighbours(Dictionary<string, Dictionary<string, float>> pairs, string sku, int count, bool damp)
    {
        lock (_lock)
        {
            if (!pairs.TryGetValue(sku, out var row))
            {
                return [];
            }

            // Damped by the square root of the partner's own orders, so bananas (in every fifth basket) do not top every list.
            return [.. row.Where(p => p.Value > 0)
                .Select(p => (p.Key, Score: damp ? p.Value / (MathF.Sqrt(_orders.GetValueOrDefault(p.Key)) + 2f) : p.Value))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Key, StringComparer.Ordinal)
                .Take(count)];
        }
    }

    private IReadOnlyList<(string Sku, float Score)> Top(ref TopList cached, Dictionary<string, double> scores, int count)
    {
        lock (_lock)
        {
            // Re-sorted at most once a second while events flow: a top list a second old is as good, and a sort of the
            // whole catalogue per request is not.
            var now = Environment.TickCount64;
            var stale = cached.Version != _version && now - cached.SortedAt >= 1_000;
            if (stale || cached.Version < 0 || count > cached.Take)
            {
                var take = Math.Max(count, 200);
                cached = new TopList(_version, now, take, [.. scores.Where(s => s.Value > 1e-9)
                    .OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal)
                    .Take(take)
                    .Select(s => (s.Key, (float)s.Value))]);
            }

            return cached.Items.Length <= count ? cached.Items : cached.Items[..count];
        }
    }

    private static void Bump<T>(Dictionary<string, T> map, string key, T delta)
        where T : System.Numerics.INumber<T>
    {
        var value = map.GetValueOrDefault(key)! + delta;
        if (T.Abs(value) < T.CreateChecked(1e-6))
        {
            map.Remove(key);
        }
        else
        {
            map[key] = value;
        }
    }

    private static void BumpPair(Dictionary<string, Dictionary<string, float>> pairs, string a, string b, float delta)
    {
        if (!pairs.TryGetValue(a, out var row))
        {
            pairs[a] = row = new Dictionary<string, float>(StringComparer.Ordinal);
        }

        Bump(row, b, delta);
        if (row.Count == 0)
        {
            pairs.Remove(a);
        }
    }

    private sealed record TopList(long Version, long SortedAt, int Take, (string Sku, float Score)[] Items)
    {
        public static TopList Empty { get; } = new(-1, 0, 0, []);
    }
}
