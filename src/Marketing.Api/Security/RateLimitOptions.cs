using System.ComponentModel.DataAnnotations;

namespace Marketing.Api.Security;

/// <summary>
/// Section <c>Api:RateLimit</c>: a token bucket per API key (per client address for anonymous pages). Requests, not
/// events, are counted; the defaults leave room for the 5,000 events/s benchmark even when it sends events one by one.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Api:RateLimit";

    public bool Enabled { get; set; } = true;

    /// <summary>Sustained requests per second per key.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Api:RateLimit:PermitsPerSecond must be between 1 and 10000000.")]
    public int PermitsPerSecond { get; set; } = 20_000;

    /// <summary>Bucket size: how many requests a key may send at once after a quiet spell.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Api:RateLimit:Burst must be between 1 and 10000000.")]
    public int Burst { get; set; } = 40_000;

    /// <summary>Requests per second for anonymous pages (landing page, docs, health, metrics), per client address.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Api:RateLimit:AnonymousPermitsPerSecond must be between 1 and 10000000.")]
    public int AnonymousPermitsPerSecond { get; set; } = 100;
}
