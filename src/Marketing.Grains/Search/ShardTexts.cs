using Marketing.Abstractions.Search;
using Marketing.Ml.Search;

namespace Marketing.Grains.Search;

/// <summary>
/// A shard's product texts for the lexical half of search: a BM25 index over the same products as its vectors, fed by
/// the same upserts and repairs and written in the same snapshot, so it survives restarts and silo moves with them.
/// Text does not depend on the encoder's model, so one index serves every model's products.
/// </summary>
internal sealed class ShardTexts
{
    private readonly LexicalIndex _index = new();

    public int Count => _index.Count;

    public bool Contains(string sku) => _index.Contains(sku);

    /// <summary>Takes the product's text; an entry without one (sent by a silo of an earlier version) leaves it out.</summary>
    public void Upsert(IndexedProduct product)
    {
        if (product.Text is { } text)
        {
            _index.Upsert(product.Sku, text, product.CategoryKey, product.InStock);
        }
        else
        {
            _index.Remove(product.Sku);
        }
    }

    public bool Remove(string sku) => _index.Remove(sku);

    public IReadOnlyList<LexicalMatch> Search(TextQuery query) =>
        _index.Search(query.Query, Math.Min(ProductVectorIndex.MaxK, query.K), new ProductFilter(query.CategoryKey, query.InStockOnly));

    public void Load(ProductTextPart? part)
    {
        if (part is null)
        {
            return;
        }

        for (var i = 0; i < part.Skus.Length; i++)
        {
            _index.Upsert(part.Skus[i], part.Texts[i], part.Categories[i], part.InStock[i]);
        }
    }

    public ProductTextPart ToPart()
    {
        var part = new ProductTextPart
        {
            Skus = new string[_index.Count],
            Texts = new string[_index.Count],
            Categories = new string[_index.Count],
            InStock = new bool[_index.Count],
        };
        var row = 0;
        _index.ForEach((sku, text, category, inStock) =>
        {
            (part.Skus[row], part.Texts[row], part.Categories[row], part.InStock[row]) = (sku, text, category, inStock);
            row++;
        });
        return part;
    }
}
