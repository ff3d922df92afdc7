using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Storage;

namespace Marketing.Grains.Products;

[GenerateSerializer, Alias("mk.CategoryDirectoryState")]
public sealed class CategoryDirectoryState
{
    [Id(0)] public SortedSet<string> Skus { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The SKUs of one category. Reentrant so that a bulk import's many concurrent adds share storage writes
/// (<see cref="CoalescingWrite"/>) instead of queueing one write each.
/// </summary>
[Reentrant]
public sealed class CategoryDirectoryGrain : Grain, ICategoryDirectoryGrain
{
    private readonly IPersistentState<CategoryDirectoryState> _state;
    private readonly CoalescingWrite _write;
    private int _reportedCount = -1;

    public CategoryDirectoryGrain([PersistentState("category", StorageNames.CatalogueState)] IPersistentState<CategoryDirectoryState> state)
    {
        _state = state;
        _write = new CoalescingWrite(WriteAndReportAsync);
    }

    public Task Add(string sku) => _state.State.Skus.Add(sku) ? _write.WriteAsync() : Task.CompletedTask;

    public Task Remove(string sku) => _state.State.Skus.Remove(sku) ? _write.WriteAsync() : Task.CompletedTask;

    public Task<SkuPage> List(int offset, int limit)
    {
        var skus = _state.State.Skus;
        var page = skus.Skip(Math.Max(0, offset)).Take(Math.Clamp(limit, 0, 1000)).ToImmutableArray();
        return Task.FromResult(new SkuPage(page, skus.Count));
    }

    private async Task WriteAndReportAsync()
    {
        await _state.WriteStateAsync();
        var count = _state.State.Skus.Count;
        if (count != _reportedCount)
        {
            await GrainFactory.GetGrain<ICatalogueGrain>(CatalogueGrain.Key).SetCount(this.GetPrimaryKeyString(), count);
            _reportedCount = count;
        }
    }
}
