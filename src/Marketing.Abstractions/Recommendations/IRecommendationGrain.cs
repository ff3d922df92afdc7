using System.Collections.Immutable;

namespace Marketing.Abstractions.Recommendations;

/// <summary>
/// Recommendations for a shopper or a product page. A stateless worker: each silo answers with its own candidate
/// sources (which follow the whole durable log), so no single grain sits on the hot path.
/// </summary>
[Alias("mk.IRecommendationGrain")]
public interface IRecommendationGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Up to <see cref="RecommendationRequest.K"/> products for the shopper (a pseudonym) in a context. A shopper who is
    /// unknown, erased or refused personalisation gets the non-personalised list. Throws
    /// <see cref="InvalidInputException"/> naming the field for bad input (k, an unknown context sku).
    /// </summary>
    [Alias("Recommend")]
    Task<RecommendationList> Recommend(RecommendationRequest request);

    /// <summary>The products most often bought in the same order as <paramref name="sku"/>, best first.</summary>
    [Alias("AlsoBought")]
    Task<RecommendationList> AlsoBought(string sku, int k);
}

/// <summary>Where the list is shown: the home page, a product page (with its sku) or the cart.</summary>
public enum RecommendationContext
{
    Home = 0,
    Product = 1,
    Cart = 2,
}

[GenerateSerializer, Immutable, Alias("mk.RecommendationRequest")]
public sealed record RecommendationRequest(
    [property: Id(0)] string? Shopper,
    [property: Id(1)] int K,
    [property: Id(2)] RecommendationContext Context,
    [property: Id(3)] string? Sku);

/// <summary>Why an item is in the list, in words a shopper reads, and the product it refers to when there is one.</summary>
[GenerateSerializer, Immutable, Alias("mk.RecommendationReason")]
public sealed record RecommendationReason(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Text,
    [property: Id(2)] string? BecauseOfSku);

[GenerateSerializer, Immutable, Alias("mk.RecommendedItem")]
public sealed record RecommendedItem(
    [property: Id(0)] string Sku,
    [property: Id(1)] string Title,
    [property: Id(2)] string Category,
    [property: Id(3)] decimal Price,
    [property: Id(4)] float Score,
    [property: Id(5)] RecommendationReason Reason,
    [property: Id(6)] ImmutableArray<string> Sources);

/// <summary>The list, and whether the shopper's own behaviour shaped it (false: unknown, erased or no consent).</summary>
[GenerateSerializer, Immutable, Alias("mk.RecommendationList")]
public sealed record RecommendationList(
    [property: Id(0)] ImmutableArray<RecommendedItem> Items,
    [property: Id(1)] bool Personalised,
    [property: Id(2)] double Milliseconds);

/// <summary>The rules a recommendation request must meet; shared by the gateway (400) and the grain.</summary>
public static class RecommendationRules
{
    public const int MaxK = 100;
    public const int DefaultK = 10;

    public static void ValidateK(int? k, List<FieldError> errors)
    {
        if (k is < 1 or > MaxK)
        {
            errors.Add(new("k", $"must be between 1 and {MaxK}"));
        }
    }

    /// <summary>Parses <c>home</c>, <c>product</c> or <c>cart</c> (default home); a product page needs its sku.</summary>
    public static RecommendationContext? ParseContext(string? context, string? sku, List<FieldError> errors)
    {
        RecommendationContext? parsed = (context ?? "home").Trim().ToLowerInvariant() switch
        {
            "home" => RecommendationContext.Home,
            "product" => RecommendationContext.Product,
            "cart" => RecommendationContext.Cart,
            _ => null,
        };
        if (parsed is null)
        {
            errors.Add(new("context", "must be home, product or cart"));
        }
        else if (parsed == RecommendationContext.Product && string.IsNullOrWhiteSpace(sku))
        {
            errors.Add(new("sku", "is required with context=product: the product page's sku"));
        }

        return parsed;
    }
}

/// <summary>A product the request names does not exist; the gateway answers 404 naming <see cref="Field"/>.</summary>
[GenerateSerializer, Alias("mk.UnknownProductException")]
public sealed class UnknownProductException : Exception
{
    public UnknownProductException(string field, string sku)
        : base($"{field}: product '{sku}' does not exist")
    {
        Field = field;
        Sku = sku;
    }

    [Id(0)]
    public string Field { get; private set; }

    [Id(1)]
    public string Sku { get; private set; }
}
