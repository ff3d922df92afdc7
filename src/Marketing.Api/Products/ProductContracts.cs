using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;

namespace Marketing.Api.Products;

/// <summary>A product as sent by the shop. In a bulk import each item carries its <see cref="Sku"/>.</summary>
public sealed record ProductRequest
{
    /// <summary>Required in bulk imports; with <c>PUT /products/{sku}</c> it may be left out or must match the URL.</summary>
    public string? Sku { get; init; }

    public string? Title { get; init; }

    public string? Description { get; init; }

    public string? Category { get; init; }

    public string? Brand { get; init; }

    public decimal? Price { get; init; }

    public int? Stock { get; init; }

    public Dictionary<string, string?>? Attributes { get; init; }

    /// <summary>Checks the request with the shared product rules; <paramref name="path"/> prefixes field names (<c>products[2].</c>).</summary>
    public ProductInput ToInput(string? sku, string path, List<FieldError> errors)
    {
        var attributes = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in Attributes ?? [])
        {
            if (value is null)
            {
                errors.Add(new($"{path}attributes.{key}", "must be a string, not null"));
            }
            else
            {
                attributes[key] = value;
            }
        }

        var input = new ProductInput
        {
            Title = Title ?? "",
            Description = Description,
            Category = Category ?? "",
            Brand = Brand,
            Price = Price ?? 0m,
            Stock = Stock ?? 0,
            Attributes = attributes.ToImmutable(),
        };
        ProductRules.Validate(sku, input, path, errors);
        return input;
    }
}

/// <summary>One page of a category, in stable SKU order.</summary>
public sealed record ProductPage(string Category, int Offset, int Limit, int Total, IReadOnlyList<Product> Items);

/// <summary>What a bulk import did.</summary>
public sealed record BulkImportSummary(int Upserted);
