using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Search;
using Marketing.Grains.Products;
using Marketing.Ml.Shoppers;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// Folds a shopper's pending touches into their interest embedding: product embeddings come from the product grains
/// (through the silo's <see cref="ProductEmbeddingCache"/>), search queries are embedded by the encoder. Products without an embedding (unknown, or not embedded yet) are
/// skipped; a failed lookup puts the touches back for the next round. Every vector folded in is of the encoder's model;
/// an interest of another model is dropped and rebuilt from the shopper's recent events.
/// </summary>
internal static class ShopperInterest
{
    private const int KeptPendingFrom = 8;
    private const int KeptPendingCapacity = 64;

    /// <returns>True when the interest changed.</returns>
    public static async Task<bool> FoldPendingAsync(ShopperState state, IGrainFactory grains, ProductEmbeddingCache productEmbeddings, InterestOptions options)
    {
        var model = productEmbeddings.Model;
        var dropped = DropIfOfAnotherModel(state, model, options.MaxPending);
        if (state.PendingInterest is not { Count: > 0 } pending)
        {
            return dropped;
        }

        // Both kinds of lookup at once, under one deadline; calls that miss it are left to finish unheard. If they fail,
        // the touches stay pending: events that arrive meanwhile are queued behind this turn, so none are added.
        var skus = pending.Where(t => t.Sku is not null).Select(t => t.Sku!).Distinct(StringComparer.Ordinal).ToArray();
        var vectors = productEmbeddings.GetAsync(grains, skus);
        var texts = pending.Where(t => t.Query is not null).Select(t => t.Query!).Distinct(StringComparer.Ordinal).ToArray();
        var embedding = grains.Ref<IEmbeddingGrain>(0);
        var embedded = Task.WhenAll(texts.Select(embedding.EmbedQuery));
        await Task.WhenAll((Task)vectors, embedded).WaitAsync(options.LookupTimeout);
        var products = skus.Zip(await vectors).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var queries = texts.Zip(await embedded).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);

        var changed = dropped;
        foreach (var touch in pending)
        {
            // The cache hands out only the model's product vectors; a query embedded elsewhere by another model is skipped.
            var vector = touch.Query is not null
                ? queries[touch.Query] is { } query && query.Model.Equals(model) ? query.Vector : null
                : products[touch.Sku!];
            if (vector is null)
            {
                continue;
            }

            if (state.InterestEmbedding is null)
            {
                state.InterestEmbedding = new float[vector.Length];
                state.InterestModel = model;
                state.InterestAsOf = touch.At;
            }

            var asOf = state.InterestAsOf;
            InterestEmbedding.Fold(state.InterestEmbedding, ref asOf, vector, touch.Weight, touch.At, options.HalfLife);
            state.InterestAsOf = asOf;
            changed = true;
        }

        // A busy shopper's emptied list is kept for the next touches: its array is old by now, and a new one would be
        // copied by a young collection or two before it fills. A quiet shopper's, or one grown past a burst, is let go.
        if (pending.Count < KeptPendingFrom || pending.Capacity > KeptPendingCapacity)
        {
            state.PendingInterest = null;
        }
        else
        {
            pending.Clear();
        }

        return changed;
    }

    /// <summary>
    /// Drops an interest summed from another model's vectors (or stored before interests named their model): it cannot
    /// be compared with the encoder's vectors, nor added to. The shopper's recent product events are queued beside the
    /// touches already pending, to be folded again in the new model's space; an event whose touch is still pending is
    /// not queued twice. (Recent events keep no search query, and only a purchase's first line.)
    /// </summary>
    /// <returns>True when the interest was dropped.</returns>
    private static bool DropIfOfAnotherModel(ShopperState state, EmbeddingModelId model, int maxPending)
    {
        if (state.InterestEmbedding is null || model.Equals(state.InterestModel))
        {
            return false;
        }

        state.InterestEmbedding = null;
        state.InterestModel = null;
        var rebuilt = state.PendingInterest?.ToList() ?? [];
        var pending = rebuilt.Where(t => t.Sku is not null).Select(t => (t.Sku, t.At)).ToHashSet();
        foreach (var recent in state.Recent ?? [])
        {
            if (recent.Sku is not null && WeightOf(recent.Type) is { } weight && !pending.Contains((recent.Sku, recent.Timestamp)))
            {
                rebuilt.Add(new InterestTouch(recent.Sku, null, weight, recent.Timestamp));
            }
        }

        // Folding does not depend on order (see InterestEmbedding), so the newest are kept by time.
        state.PendingInterest = rebuilt.Count == 0 ? null : [.. rebuilt.OrderByDescending(t => t.At).Take(maxPending)];
        return true;
    }

    /// <summary>What a recent event weighs in the interest; null for what a recent event cannot tell (a review's rating).</summary>
    private static float? WeightOf(ShopperEventType type) => type switch
    {
        ShopperEventType.View => InterestSignals.View,
        ShopperEventType.Click => InterestSignals.Click,
        ShopperEventType.AddToCart => InterestSignals.AddToCart,
        ShopperEventType.Purchase => InterestSignals.Purchase,
        _ => null,
    };
}
