using System.Collections.Immutable;
using Marketing.Abstractions.Products;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// Re-ranking: each source's scores are scaled to its own range (best 1, last 0), weighed by the source's weight and summed per product;
/// the reason is the one of the source that added most. Then products that must not be shown are filtered (excluded
/// skus, missing or out of stock), business rules boost or bury, and at most N per category are kept.
/// </summary>
public sealed class RecommendationBlender(RecommendationOptions options)
{
    /// <summary>Blended candidates, best first, before the catalogue is consulted.</summary>
    public List<Blended> Blend(IReadOnlyList<(string Source, IReadOnlyList<Candidate> Candidates)> bySource, IReadOnlySet<string> excluded)
    {
        var blended = new Dictionary<string, Blended>(StringComparer.Ordinal);
        foreach (var (source, candidates) in bySource)
        {
            var weight = (float)options.Weights.GetValueOrDefault(source, 1.0);
            if (weight <= 0 || candidates.Count == 0)
            {
                continue;
            }

            // Scaled to the source's own range (best 1, its last candidate 0): sources score on unlike scales, and a
            // product far from the shopper's interest should not ride on a similarity of 0.3 that every product has.
            var best = candidates.Max(c => c.Score);
            var worst = candidates.Count > 1 ? candidates.Min(c => c.Score) : 0f;
            var range = best - worst;

            foreach (var candidate in candidates)
            {
                if (excluded.Contains(candidate.Sku))
                {
                    continue;
                }

                var part = weight * (range > 0 ? (candidate.Score - worst) / range : 1f);
                if (!blended.TryGetValue(candidate.Sku, out var item))
                {
                    blended[candidate.Sku] = item = new Blended(candidate.Sku, candidate);
                }

                item.Score += part;
                item.Sources.Add(source);
                if (part > item.ReasonPart)
                {
                    item.ReasonPart = part;
                    item.Reason = candidate;
                }
            }
        }

        return [.. blended.Values.OrderByDescending(b => b.Score).ThenBy(b => b.Sku, StringComparer.Ordinal)];
    }

    /// <summary>The final list: in stock, rules applied, at most <see cref="RecommendationOptions.MaxPerCategory"/> per category, <paramref name="k"/> long.</summary>
    public List<(Blended Item, Product Product)> Pick(IReadOnlyList<Blended> blended, IReadOnlyList<Product?> products, int k)
    {
        var ranked = new List<(Blended Item, Product Product)>();
        for (var i = 0; i < blended.Count; i++)
        {
            if (products[i] is not { Stock: > 0 } product)
            {
                continue;
            }

            foreach (var rule in options.Rules)
            {
                if (rule.Matches(product))
                {
                    blended[i].Score *= (float)rule.Factor;
                }
            }

            if (blended[i].Score > 0)
            {
                ranked.Add((blended[i], product));
            }
        }

        var perCategory = new Dictionary<string, int>(StringComparer.Ordinal);
        var picked = new List<(Blended, Product)>(k);
        foreach (var (item, product) in ranked.OrderByDescending(r => r.Item.Score).ThenBy(r => r.Item.Sku, StringComparer.Ordinal))
        {
            var category = ProductRules.CategoryKey(product.Category);
            var inCategory = perCategory.GetValueOrDefault(category);
            if (options.MaxPerCategory > 0 && inCategory >= options.MaxPerCategory)
            {
                continue;
            }

            perCategory[category] = inCategory + 1;
            picked.Add((item, product));
            if (picked.Count == k)
            {
                break;
            }
        }

        return picked;
    }

    /// <summary>One product's blended score, the sources that proposed it, and the candidate whose reason it carries.</summary>
    public sealed class Blended(string sku, Candidate first)
    {
        public string Sku { get; } = sku;

        public float Score { get; set; }

        public List<string> Sources { get; } = [];

        public float ReasonPart { get; set; }

        public Candidate Reason { get; set; } = first;

        public ImmutableArray<string> SourceNames => [.. Sources.Distinct(StringComparer.Ordinal)];
    }
}
