using Marketing.Abstractions;
using Marketing.Abstractions.Search;
using Marketing.Grains.Products;
using Marketing.Ml.Shoppers;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// Folds a shopper's pending touches into their interest embedding: product embeddings come from the product grains
/// (through the silo's <see cref="ProductEmbeddingCache"/>), search queries are embedded by the encoder. Products without an embedding (unknown, or not embedded yet) are
/// skipped; a failed lookup puts the touches back for the next round.
/// </summary>
internal static class ShopperInterest
{
    private const int KeptPendingFrom = 8;
    private const int KeptPendingCapacity = 64;

    /// <returns>True when the interest changed.</returns>
    public static async Task<bool> FoldPendingAsync(ShopperState state, IGrainFactory grains, ProductEmbeddingCache productEmbeddings, InterestOptions options)
    {
        if (state.PendingInterest is not { Count: > 0 } pending)
        {
            return false;
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

        var changed = false;
        foreach (var touch in pending)
        {
            var vector = touch.Query is not null ? queries[touch.Query] : products[touch.Sku!];
            if (vector is null)
            {
                continue;
            }

            if (state.InterestEmbedding is null || state.InterestEmbedding.Length != vector.Length)
            {
                // First touch, or the encoder model changed: start a new interest in the new space.
                state.InterestEmbedding = new float[vector.Length];
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
}
