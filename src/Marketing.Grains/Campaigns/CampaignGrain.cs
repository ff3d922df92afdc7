using Marketing.Abstractions;
using Marketing.Abstractions.Campaigns;

namespace Marketing.Grains.Campaigns;

[GenerateSerializer, Alias("mk.CampaignState")]
public sealed class CampaignState
{
    [Id(0)] public Campaign? Campaign { get; set; }
}

/// <summary>One campaign's definition and lifecycle. Every change is written through and mirrored in the directory.</summary>
public sealed class CampaignGrain(
    [PersistentState("campaign", StorageNames.GrainState)] IPersistentState<CampaignState> state,
    TimeProvider time) : Grain, ICampaignGrain
{
    private string Id => this.GetPrimaryKeyString();

    public async Task<Campaign> Define(CampaignDefinition definition)
    {
        var errors = CampaignRules.Validate(definition);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var now = time.GetUtcNow();
        var current = state.State.Campaign;
        if (current is { Status: CampaignStatus.Active or CampaignStatus.Ended })
        {
            throw new CampaignStateException($"Campaign '{Id}' is {current.Status.ToString().ToLowerInvariant()}; pause it before changing its definition.");
        }

        return await SaveAsync(current is null
            ? new Campaign { Id = Id, Definition = definition, Status = CampaignStatus.Draft, CreatedAt = now, UpdatedAt = now }
            : current with { Definition = definition, UpdatedAt = now });
    }

    public Task<Campaign?> Get() => Task.FromResult(state.State.Campaign);

    public Task<Campaign> Launch()
    {
        var campaign = Require();
        if (campaign.Status == CampaignStatus.Ended)
        {
            throw new CampaignStateException($"Campaign '{Id}' has ended and cannot be launched again.");
        }

        if (campaign.Definition.Variants.IsDefaultOrEmpty)
        {
            throw new CampaignStateException($"Campaign '{Id}' has no variants; add at least one before launching.");
        }

        if (campaign.Definition.Schedule.EndsAt is { } endsAt && endsAt <= time.GetUtcNow())
        {
            throw new CampaignStateException($"Campaign '{Id}' is scheduled to end at {endsAt:O}, which has passed.");
        }

        return campaign.Status == CampaignStatus.Active ? Task.FromResult(campaign) : Transition(campaign, CampaignStatus.Active);
    }

    public Task<Campaign> Pause()
    {
        var campaign = Require();
        return campaign.Status switch
        {
            CampaignStatus.Paused => Task.FromResult(campaign),
            CampaignStatus.Active => Transition(campaign, CampaignStatus.Paused),
            _ => throw new CampaignStateException($"Campaign '{Id}' is {campaign.Status.ToString().ToLowerInvariant()}; only an active campaign can be paused."),
        };
    }

    public Task<Campaign> End()
    {
        var campaign = Require();
        return campaign.Status == CampaignStatus.Ended ? Task.FromResult(campaign) : Transition(campaign, CampaignStatus.Ended);
    }

    public async Task<bool> Delete()
    {
        if (state.State.Campaign is null)
        {
            return false;
        }

        await state.ClearStateAsync();
        state.State = new CampaignState();
        await GrainFactory.GetGrain<ICampaignDirectoryGrain>(CampaignDirectoryGrain.Key).Remove(Id);
        DeactivateOnIdle();
        return true;
    }

    private Campaign Require() =>
        state.State.Campaign ?? throw new KeyNotFoundException($"Campaign '{Id}' does not exist.");

    private Task<Campaign> Transition(Campaign campaign, CampaignStatus status) =>
        SaveAsync(campaign with { Status = status, UpdatedAt = time.GetUtcNow() });

    private async Task<Campaign> SaveAsync(Campaign campaign)
    {
        state.State.Campaign = campaign;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<ICampaignDirectoryGrain>(CampaignDirectoryGrain.Key)
            .Put(new CampaignSummary(campaign.Id, campaign.Definition.Name, campaign.Status, campaign.UpdatedAt));
        return campaign;
    }
}
