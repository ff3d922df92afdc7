using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Marketing.Abstractions.Search;
using Marketing.Ml.Search;

namespace Marketing.Grains.Search;

/// <summary>
/// A shard's vectors, one <see cref="ProductVectorIndex"/> per model that made them. A query is scored only against
/// the vectors of its own model, so after the encoder model changes the products not yet embedded again are left out
/// of searches instead of being ranked by a cosine between two unrelated spaces. Normally there is one model; a second
/// lives only until a reindex has made every vector again. A SKU is in one model's index at a time.
/// </summary>
internal sealed class ProductVectorsByModel : IDisposable
{
    private readonly Dictionary<EmbeddingModelId, ProductVectorIndex> _byModel = [];

    public int Count => _byModel.Values.Sum(index => index.Count);

    public bool Contains(string sku) => _byModel.Values.Any(index => index.Contains(sku));

    /// <summary>Adds or replaces the product under its model, taking it out of any other model's index.</summary>
    /// <returns>False (and no change) when the vector's length is not the one its model's index holds.</returns>
    public bool Upsert(IndexedProduct product)
    {
        if (_byModel.TryGetValue(product.Model, out var index) && index.Dimensions != product.Vector.Length)
        {
            return false;
        }

        RemoveFromOthers(product.Sku, product.Model);
        if (index is null)
        {
            _byModel[product.Model] = index = NewIndex(product.Vector.Length);
        }

        index.Upsert(product.Sku, product.Vector, product.CategoryKey, product.InStock);
        return true;
    }

    public bool Remove(string sku) => RemoveFromOthers(sku, keep: null);

    /// <summary>The index of <paramref name="model"/>'s vectors; null when this shard holds none.</summary>
    public ProductVectorIndex? Of(EmbeddingModelId model) => _byModel.GetValueOrDefault(model);

    public ImmutableArray<IndexedByModel> CountByModel() =>
        [.. _byModel.Where(m => m.Value.Count > 0).Select(m => new IndexedByModel(m.Key, m.Value.Count))];

    /// <summary>Every stored product's SKU, with the model that made its vector.</summary>
    public void ForEach(Action<EmbeddingModelId, string> visit)
    {
        foreach (var (model, index) in _byModel)
        {
            index.ForEach((sku, _, _, _) => visit(model, sku));
        }
    }

    /// <summary>Loads one model's columns of a snapshot.</summary>
    public void Load(ProductIndexPart part)
    {
        var dimensions = part.Model.Dimensions;
        var vectors = MemoryMarshal.Cast<byte, float>(part.Vectors);
        var index = _byModel.TryGetValue(part.Model, out var existing) ? existing : _byModel[part.Model] = NewIndex(dimensions);
        for (var i = 0; i < part.Skus.Length; i++)
        {
            index.Upsert(part.Skus[i], vectors.Slice(i * dimensions, dimensions), part.Categories[i], part.InStock[i]);
        }
    }

    /// <summary>The snapshot's columns, one part per model.</summary>
    public ProductIndexPart[] ToParts()
    {
        var parts = new List<ProductIndexPart>(_byModel.Count);
        foreach (var (model, index) in _byModel)
        {
            var count = index.Count;
            if (count == 0)
            {
                continue;
            }

            var part = new ProductIndexPart
            {
                Model = model,
                Skus = new string[count],
                Categories = new string[count],
                InStock = new bool[count],
                Vectors = new byte[count * index.Dimensions * sizeof(float)],
            };
            var row = 0;
            index.ForEach((sku, vector, category, stocked) =>
            {
                part.Skus[row] = sku;
                part.Categories[row] = category;
                part.InStock[row] = stocked;
                MemoryMarshal.AsBytes(vector).CopyTo(part.Vectors.AsSpan(row * vector.Length * sizeof(float)));
                row++;
            });
            parts.Add(part);
        }

        return [.. parts];
    }

    public void Dispose()
    {
        foreach (var index in _byModel.Values)
        {
            index.Dispose();
        }
    }

    private static ProductVectorIndex NewIndex(int dimensions) => new(dimensions, maxDegreeOfParallelism: 1);

    private bool RemoveFromOthers(string sku, EmbeddingModelId? keep)
    {
        // A SKU is in one index at most, so at most one index empties.
        foreach (var (model, index) in _byModel)
        {
            if (!model.Equals(keep) && index.Remove(sku))
            {
                if (index.Count == 0)
                {
                    // Once a reindex is through, the shard holds one model again.
                    _byModel.Remove(model);
                    index.Dispose();
                }

                return true;
            }
        }

        return false;
    }
}
