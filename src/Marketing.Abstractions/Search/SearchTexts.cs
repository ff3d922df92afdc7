using Marketing.Abstractions.Products;

namespace Marketing.Abstractions.Search;

/// <summary>
/// The text of a product that search reads: one place, so the silo and the offline evaluation
/// (<c>bench search --queries</c>) rank the same words.
/// </summary>
public static class SearchTexts
{
    /// <summary>What the encoder reads: the title first (it matters most and survives truncation), then category and description.</summary>
    public static string Embedding(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return string.IsNullOrWhiteSpace(product.Description)
            ? $"{product.Title}. {product.Category}"
            : $"{product.Title}. {product.Category}. {product.Description}";
    }

    /// <summary>What BM25 reads: title, brand, category and description.</summary>
    public static string Lexical(Product product)
    {
        ArgumentNullException.ThrowIfNull(product);
        return string.Join(" ", new[] { product.Title, product.Brand, product.Category, product.Description }.Where(t => !string.IsNullOrWhiteSpace(t)));
    }
}
