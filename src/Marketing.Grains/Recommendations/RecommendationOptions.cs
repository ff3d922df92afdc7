using System.ComponentModel.DataAnnotations;

namespace Marketing.Grains.Recommendations;

/// <summary>Section <c>Recommendations</c>: how candidate sources are blended, filtered and kept up to date.</summary>
public sealed class RecommendationOptions : IValidatableObject
{
    public const string SectionName = "Recommendations";

    /// <summary>
    /// Each source's weight in the blend, by source name (content, co-purchase, next-item, trending, popular); a source
    /// not named weighs 1. Hand-set until trained models exist, when they are to be learned on a validation split.
    /// </summary>
    public Dictionary<string, double> Weights { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [SourceNames.Content] = 1.0,
        [SourceNames.CoPurchase] = 1.2,
        [SourceNames.NextItem] = 0.8,
        [SourceNames.Trending] = 0.3,
        [SourceNames.Popular] = 0.2,
    };

    /// <summary>Candidates each source offers per request before blending.</summary>
    [Range(10, 1_000, ErrorMessage = "Recommendations:CandidatesPerSource must be between 10 and 1000.")]
    public int CandidatesPerSource { get; set; } = 50;

    /// <summary>At most this many items of one category in a list (0: no limit).</summary>
    [Range(0, 100, ErrorMessage = "Recommendations:MaxPerCategory must be between 0 and 100.")]
    public int MaxPerCategory { get; set; } = 3;

    /// <summary>Leave out what the shopper already bought (groceries are bought again: a shop may turn this off).</summary>
    public bool ExcludePurchased { get; set; } = true;

    /// <summary>Boost (factor above 1) or bury (below 1; 0 removes) products by attribute.</summary>
    public List<BusinessRule> Rules { get; set; } = [];

    /// <summary>How often each silo reads the durable log for events other silos acknowledged, and for erasures.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Recommendations:LogPollInterval must be between 50 ms and 1 hour.")]
    public TimeSpan LogPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>After this long (in event time) an interaction counts half as much towards trending.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ErrorMessage = "Recommendations:TrendingHalfLife must be between 1 minute and 365 days.")]
    public TimeSpan TrendingHalfLife { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a silo uses a product's record (stock, category, title) before asking its grain again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Recommendations:ProductCacheTime must be between 0 and 1 hour.")]
    public TimeSpan ProductCacheTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Product records each silo keeps for recommendations.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Recommendations:ProductCacheEntries must be between 0 and 1000000.")]
    public int ProductCacheEntries { get; set; } = 60_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, weight) in Weights)
        {
            if (weight < 0 || double.IsNaN(weight) || double.IsInfinity(weight))
            {
                yield return new($"Recommendations:Weights:{name} must be a number of 0 or more.");
            }
        }

        for (var i = 0; i < Rules.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Rules[i].Attribute) || Rules[i].Factor < 0 || Rules[i].Factor > 100)
            {
                yield return new($"Recommendations:Rules:{i} needs an Attribute and a Factor between 0 and 100.");
            }
        }
    }
}

/// <summary>
/// Multiplies the score of products whose <see cref="Attribute"/> (<c>category</c>, <c>brand</c> or any product
/// attribute) equals <see cref="Value"/> (any value when empty) by <see cref="Factor"/>.
/// </summary>
public sealed class BusinessRule
{
    public string Attribute { get; set; } = "";

    public string? Value { get; set; }

    public double Factor { get; set; } = 1;

    public bool Matches(Abstractions.Products.Product product)
    {
        var actual = Attribute.ToLowerInvariant() switch
        {
            "category" => product.Category,
            "brand" => product.Brand,
            _ => product.Attributes.GetValueOrDefault(Attribute),
        };
        return actual is not null && (string.IsNullOrEmpty(Value) || string.Equals(actual.Trim(), Value.Trim(), StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>The built-in candidate sources' names (in options, responses and metrics).</summary>
public static class SourceNames
{
    public const string Content = "content";
    public const string CoPurchase = "co-purchase";
    public const string NextItem = "next-item";
    public const string Trending = "trending";
    public const string Popular = "popular";
}
