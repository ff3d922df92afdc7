using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Campaigns;

namespace Marketing.Api.Campaigns;

/// <summary>A campaign definition as a marketer sends it; missing fields are reported by name.</summary>
public sealed record CampaignRequest
{
    /// <summary>Only for <c>POST /campaigns</c>: the caller's id for the new campaign; generated when left out.</summary>
    public string? Id { get; init; }

    public string? Name { get; init; }

    /// <summary>awareness, traffic, conversion or retention (default awareness).</summary>
    public CampaignObjective? Objective { get; init; }

    public ScheduleRequest? Schedule { get; init; }

    public BudgetRequest? Budget { get; init; }

    public List<VariantRequest?>? Variants { get; init; }

    public CampaignDefinition ToDefinition(List<FieldError> errors)
    {
        if (Budget is null)
        {
            errors.Add(new("budget", "is required: {total, dailyCap?, currency}"));
        }

        var variants = ImmutableArray.CreateBuilder<CampaignVariant>();
        for (var i = 0; i < (Variants?.Count ?? 0); i++)
        {
            if (Variants![i] is not { } v)
            {
                errors.Add(new($"variants[{i}]", "must be a variant object, not null"));
                continue;
            }

            variants.Add(new CampaignVariant(v.Id ?? "", v.Name ?? v.Id ?? "", v.Content ?? "", v.Weight ?? 1.0));
        }

        var definition = new CampaignDefinition
        {
            Name = Name ?? "",
            Objective = Objective ?? CampaignObjective.Awareness,
            Schedule = new CampaignSchedule(Schedule?.StartsAt, Schedule?.EndsAt),
            Budget = new CampaignBudget(Budget?.Total ?? 0m, Budget?.DailyCap, Budget?.Currency ?? ""),
            Variants = variants.ToImmutable(),
        };
        errors.AddRange(CampaignRules.Validate(definition).Where(e => Budget is not null || !e.Field.StartsWith("budget", StringComparison.Ordinal)));
        return definition;
    }
}

public sealed record ScheduleRequest
{
    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }
}

public sealed record BudgetRequest
{
    public decimal? Total { get; init; }

    public decimal? DailyCap { get; init; }

    /// <summary>Three-letter currency code, such as EUR.</summary>
    public string? Currency { get; init; }
}

public sealed record VariantRequest
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public string? Content { get; init; }

    /// <summary>Relative share of traffic before the bandit learns (default 1).</summary>
    public double? Weight { get; init; }
}
