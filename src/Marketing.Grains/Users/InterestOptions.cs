using System.ComponentModel.DataAnnotations;

namespace Marketing.Grains.Users;

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
}
