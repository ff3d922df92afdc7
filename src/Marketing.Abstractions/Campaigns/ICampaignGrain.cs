using System.Collections.Immutable;

namespace Marketing.Abstractions.Campaigns;

/// <summary>One marketing campaign: its definition, lifecycle (draft → active ⇄ paused → ended), budget and variants.</summary>
[Alias("mk.ICampaignGrain")]
public interface ICampaignGrain : IGrainWithStringKey
{
    /// <summary>Creates the campaign as a draft, or replaces the definition of a draft or paused one.</summary>
    [Alias("Define")]
    Task<Campaign> Define(CampaignDefinition definition);

    [Alias("Get")]
    Task<Campaign?> Get();

    /// <summary>Draft or paused → active. Fails with the reason when the campaign cannot run (no variants, ended).</summary>
    [Alias("Launch")]
    Task<Campaign> Launch();

    /// <summary>Active → paused.</summary>
    [Alias("Pause")]
    Task<Campaign> Pause();

    /// <summary>Any state → ended; an ended campaign cannot be launched again.</summary>
    [Alias("End")]
    Task<Campaign> End();

    [Alias("Delete")]
    Task<bool> Delete();
}

/// <summary>The list of campaigns, since Orleans cannot query grains. One per cluster (key "all").</summary>
[Alias("mk.ICampaignDirectoryGrain")]
public interface ICampaignDirectoryGrain : IGrainWithStringKey
{
    [Alias("Put")]
    Task Put(CampaignSummary summary);

    [Alias("Remove")]
    Task Remove(string campaignId);

    [Alias("List")]
    Task<ImmutableArray<CampaignSummary>> List();
}

public enum CampaignStatus
{
    Draft = 0,
    Active = 1,
    Paused = 2,
    Ended = 3,
}

public enum CampaignObjective
{
    Awareness = 0,
    Traffic = 1,
    Conversion = 2,
    Retention = 3,
}

[GenerateSerializer, Immutable, Alias("mk.CampaignSchedule")]
public sealed record CampaignSchedule(
    [property: Id(0)] DateTimeOffset? StartsAt,
    [property: Id(1)] DateTimeOffset? EndsAt);

[GenerateSerializer, Immutable, Alias("mk.CampaignBudget")]
public sealed record CampaignBudget(
    [property: Id(0)] decimal Total,
    [property: Id(1)] decimal? DailyCap,
    [property: Id(2)] string Currency);

[GenerateSerializer, Immutable, Alias("mk.CampaignVariant")]
public sealed record CampaignVariant(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Content,
    [property: Id(3)] double Weight);

[GenerateSerializer, Immutable, Alias("mk.CampaignDefinition")]
public sealed record CampaignDefinition
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public CampaignObjective Objective { get; init; }
    [Id(2)] public CampaignSchedule Schedule { get; init; } = new(null, null);
    [Id(3)] public required CampaignBudget Budget { get; init; }
    [Id(4)] public ImmutableArray<CampaignVariant> Variants { get; init; } = [];
}

[GenerateSerializer, Immutable, Alias("mk.Campaign")]
public sealed record Campaign
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required CampaignDefinition Definition { get; init; }
    [Id(2)] public CampaignStatus Status { get; init; }
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset UpdatedAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("mk.CampaignSummary")]
public sealed record CampaignSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] CampaignStatus Status,
    [property: Id(3)] DateTimeOffset UpdatedAt);

/// <summary>Thrown when a lifecycle change is not allowed from the campaign's current status.</summary>
[GenerateSerializer, Alias("mk.CampaignStateException")]
public sealed class CampaignStateException(string message) : Exception(message);

/// <summary>The rules a campaign definition must meet; shared by the gateway and the grain.</summary>
public static class CampaignRules
{
    public const int MaxNameLength = 200;
    public const int MaxVariants = 20;
    public const int MaxContentLength = 20_000;

    public static List<FieldError> Validate(CampaignDefinition d)
    {
        var errors = new List<FieldError>();
        if (string.IsNullOrWhiteSpace(d.Name) || d.Name.Length > MaxNameLength)
        {
            errors.Add(new("name", $"is required, at most {MaxNameLength} characters"));
        }

        if (d.Budget.Total < 0)
        {
            errors.Add(new("budget.total", "must not be negative"));
        }

        if (d.Budget.DailyCap is < 0)
        {
            errors.Add(new("budget.dailyCap", "must not be negative"));
        }

        if (d.Budget.DailyCap > d.Budget.Total)
        {
            errors.Add(new("budget.dailyCap", "must not exceed the total budget"));
        }

        if (string.IsNullOrWhiteSpace(d.Budget.Currency) || d.Budget.Currency.Length != 3)
        {
            errors.Add(new("budget.currency", "must be a three-letter currency code"));
        }

        if (d.Schedule is { StartsAt: { } s, EndsAt: { } e } && e <= s)
        {
            errors.Add(new("schedule.endsAt", "must be after schedule.startsAt"));
        }

        if (d.Variants.Length > MaxVariants)
        {
            errors.Add(new("variants", $"at most {MaxVariants} variants"));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < d.Variants.Length; i++)
        {
            var v = d.Variants[i];
            Events.ShopperEventValidator.RequireId(v.Id, $"variants[{i}].id", errors);
            if (v.Id is not null && !ids.Add(v.Id))
            {
                errors.Add(new($"variants[{i}].id", "duplicates another variant's id"));
            }

            if (string.IsNullOrWhiteSpace(v.Content) || v.Content.Length > MaxContentLength)
            {
                errors.Add(new($"variants[{i}].content", $"is required, at most {MaxContentLength} characters"));
            }

            if (!(v.Weight > 0) || double.IsInfinity(v.Weight))
            {
                errors.Add(new($"variants[{i}].weight", "must be a positive number"));
            }
        }

        return errors;
    }
}
