using System.ComponentModel.DataAnnotations;

namespace Marketing.Api.Problems;

/// <summary>Section <c>Api:Limits</c>: how much one request may carry, so one caller cannot exhaust the gateway's memory.</summary>
public sealed class RequestLimitsOptions
{
    public const string SectionName = "Api:Limits";

    /// <summary>Body limit for endpoints without a limit of their own (profiles, products, campaigns).</summary>
    [Range(1_024, 1L << 30, ErrorMessage = "Api:Limits:DefaultBodyBytes must be between 1 KB and 1 GB.")]
    public long DefaultBodyBytes { get; set; } = 1 << 20;

    /// <summary>Body limit for <c>POST /events</c> and <c>POST /admin/import/events</c>.</summary>
    [Range(1_024, 1L << 30, ErrorMessage = "Api:Limits:EventsBodyBytes must be between 1 KB and 1 GB.")]
    public long EventsBodyBytes { get; set; } = 1 << 20;

    /// <summary>Body limit for <c>POST /products/bulk</c>.</summary>
    [Range(1_024, 1L << 30, ErrorMessage = "Api:Limits:BulkBodyBytes must be between 1 KB and 1 GB.")]
    public long BulkBodyBytes { get; set; } = 32 << 20;

    [Range(1, 100_000, ErrorMessage = "Api:Limits:MaxEventsPerRequest must be between 1 and 100000.")]
    public int MaxEventsPerRequest { get; set; } = 1_000;

    [Range(1, 1_000_000, ErrorMessage = "Api:Limits:MaxProductsPerBulk must be between 1 and 1000000.")]
    public int MaxProductsPerBulk { get; set; } = 20_000;

    /// <summary>How many product upserts one bulk request keeps in flight at once.</summary>
    [Range(1, 1_024, ErrorMessage = "Api:Limits:BulkConcurrency must be between 1 and 1024.")]
    public int BulkConcurrency { get; set; } = 32;
}
