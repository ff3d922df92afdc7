using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Campaigns;
using Marketing.Grains.Storage;

namespace Marketing.Grains.Campaigns;

[GenerateSerializer, Alias("mk.CampaignDirectoryState")]
public sealed class CampaignDirectoryState
{
    [Id(0)] public Dictionary<string, CampaignSummary> Campaigns { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The list of campaigns for marketers' pages; campaign grains keep it current.</summary>
[Reentrant]
public sealed class CampaignDirectoryGrain : Grain, ICampaignDirectoryGrain
{
    public const string Key = "all";

    private readonly IPersistentState<CampaignDirectoryState> _state;
    private readonly CoalescingWrite _write;

    public CampaignDirectoryGrain([PersistentState("campaigns", StorageNames.GrainState)] IPersistentState<CampaignDirectoryState> state)
    {
        _state = state;
        _write = new CoalescingWrite(() => _state.WriteStateAsync());
    }

    public Task Put(CampaignSummary summary)
    {
        _state.State.Campaigns[summary.Id] = summary;
        return _write.WriteAsync();
    }

    public Task Remove(string campaignId) =>
        _state.State.Campaigns.Remove(campaignId) ? _write.WriteAsync() : Task.CompletedTask;

    public Task<ImmutableArray<CampaignSummary>> List() =>
        Task.FromResult(_state.State.Campaigns.Values.OrderByDescending(c => c.UpdatedAt).ToImmutableArray());
}
