using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Storage;

namespace Marketing.Grains.Products;

[GenerateSerializer, Alias("mk.CatalogueState")]
public sealed class CatalogueState
{
    [Id(0)] public Dictionary<string, int> Categories { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The list of categories and their sizes: the entry point for browsing the catalogue.</summary>
[Reentrant]
public sealed class CatalogueGrain : Grain, ICatalogueGrain
{
    public const string Key = CatalogueKeys.All;

    private readonly IPersistentState<CatalogueState> _state;
    private readonly CoalescingWrite _write;

    public CatalogueGrain([PersistentState("catalogue", StorageNames.CatalogueState)] IPersistentState<CatalogueState> state)
    {
        _state = state;
        _write = new CoalescingWrite(() => _state.WriteStateAsync());
    }

    public Task SetCount(string category, int count)
    {
        var categories = _state.State.Categories;
        if (count <= 0)
        {
            return categories.Remove(category) ? _write.WriteAsync() : Task.CompletedTask;
        }

        if (categories.TryGetValue(category, out var known) && known == count)
        {
            return Task.CompletedTask;
        }

        categories[category] = count;
        return _write.WriteAsync();
    }

    public Task<ImmutableArray<CategoryCount>> Categories() =>
        Task.FromResult(_state.State.Categories
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .Select(c => new CategoryCount(c.Key, c.Value))
            .ToImmutableArray());
}
