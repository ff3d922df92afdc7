using Marketing.Abstractions.Recommendations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// One way of finding products to recommend (content, co-purchase, a trained model...). Each scores its own
/// candidates on its own scale; the blender normalises each source's scores and weighs them by
/// <see cref="RecommendationOptions.Weights"/> under <see cref="Name"/>. A new source (a trained model) joins with
/// <see cref="CandidateSourceExtensions.AddCandidateSource{T}"/> and edits no other.
/// </summary>
public interface ICandidateSource
{
    /// <summary>The name in options, responses and logs.</summary>
    string Name { get; }

    /// <summary>Up to <paramref name="count"/> candidates, best first; none when the source has nothing to say.</summary>
    Task<IReadOnlyList<Candidate>> CandidatesAsync(CandidateQuery query, int count, CancellationToken cancellationToken);
}

/// <summary>A product a source proposes, its score on the source's own scale, and why (the product it follows from, if any).</summary>
public sealed record Candidate(string Sku, float Score, ReasonKind Reason, string? BecauseOf = null);

/// <summary>What a candidate's reason says; the text is written once the products' titles are known.</summary>
public enum ReasonKind
{
    /// <summary>"Because you viewed / bought / have in your cart …": close to the shopper's interests.</summary>
    Interest,

    /// <summary>"Similar to …": close to the product on the page.</summary>
    Similar,

    /// <summary>"Bought together with …".</summary>
    BoughtTogether,

    /// <summary>"Often chosen after …".</summary>
    NextItem,

    /// <summary>"Trending in {category}".</summary>
    Trending,

    /// <summary>"Popular in {category}".</summary>
    Popular,
}

/// <summary>
/// What a source may use. <see cref="Shopper"/> is null when the list must not be personalised (unknown, erased or
/// no consent): then <see cref="Seeds"/> holds only the product on the page, if any.
/// </summary>
/// <param name="Shopper">The shopper's pseudonym; null for a non-personalised list.</param>
/// <param name="Context">Where the list is shown.</param>
/// <param name="ContextSku">The product page's sku (context product), else null.</param>
/// <param name="Seeds">Products the list should follow, strongest first: the page's product, the cart, the shopper's recent events.</param>
/// <param name="Grains">For sources that ask grains (the index, the shopper's interest).</param>
public sealed record CandidateQuery(
    string? Shopper,
    RecommendationContext Context,
    string? ContextSku,
    IReadOnlyList<Seed> Seeds,
    IGrainFactory Grains);

/// <summary>A product the shopper touched (or the page shows), how much it should count, and how they touched it.</summary>
public readonly record struct Seed(string Sku, float Weight, SeedKind Kind);

public enum SeedKind
{
    Page,
    InCart,
    Bought,
    AddedToCart,
    Clicked,
    Viewed,
    Reviewed,
}

public static class CandidateSourceExtensions
{
    /// <summary>Registers <typeparamref name="T"/> (a silo singleton) as one more candidate source.</summary>
    public static IServiceCollection AddCandidateSource<T>(this IServiceCollection services)
        where T : class, ICandidateSource
    {
        services.TryAddSingleton<T>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ICandidateSource, T>(sp => sp.GetRequiredService<T>()));
        return services;
    }
}
