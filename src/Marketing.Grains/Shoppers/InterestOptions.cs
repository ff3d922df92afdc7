using System.ComponentModel.DataAnnotations;

namespace Marketing.Grains.Shoppers;

/// <summary>Section <c>Interest</c>: how a shopper's interest embedding follows their events.</summary>
public sealed class InterestOptions
{
    public const string SectionName = "Interest";

    /// <summary>After this long an event counts half as much as a new one.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00", ErrorMessage = "Interest:HalfLife must be between 1 hour and 3650 days.")]
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Touches waiting to be folded in per shopper (they are folded before each state write and on read); beyond this the oldest are dropped.</summary>
    [Range(1, 10_000, ErrorMessage = "Interest:MaxPending must be between 1 and 10000.")]
    public int MaxPending { get; set; } = 256;

    /// <summary>
    /// How long the product and query lookups of one fold may take. The fold runs in the shopper's turn, so a product
    /// whose silo just died must not hold the shopper's events back: past this, the touches wait for the next fold.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00", ErrorMessage = "Interest:LookupTimeout must be between 10 ms and 1 minute.")]
    public TimeSpan LookupTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Product embeddings each silo keeps for the folds (<see cref="Products.ProductEmbeddingCache"/>); 0 asks the
    /// product grains every time. A full entry holds the model's vector (1.5 KB for MiniLM).
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "Interest:ProductCacheEntries must be between 0 and 1000000.")]
    public int ProductCacheEntries { get; set; } = 20_000;

    /// <summary>How long a silo's folds use a product's embedding before asking its grain again, so how long another silo may fold a product's old text.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Interest:ProductCacheTime must be between 1 second and 1 day.")]
    public TimeSpan ProductCacheTime { get; set; } = TimeSpan.FromMinutes(5);
}
