using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Storage;

namespace Marketing.Grains.Products;

/// <summary>
/// One catalogue item. The record is written through (catalogue changes are rare and must not be lost); the daily
/// counters are written behind, since they arrive once a second from every silo.
/// </summary>
public sealed class ProductGrain : Grain, IProductGrain, IProductStatsSink
{
    public const int StatsDays = 120;
    private static readonly TimeSpan StatsWriteDelay = TimeSpan.FromSeconds(30);

    private readonly IPersistentState<ProductState> _state;
    private readonly TimeProvider _time;
    private readonly DeferredWrite _statsWrite;

    public ProductGrain([PersistentState("product", StorageNames.GrainState)] IPersistentState<ProductState> state, TimeProvider time)
    {
        _state = state;
        _time = time;
        _statsWrite = new DeferredWrite(this, () => _state.WriteStateAsync(), () => StatsWriteDelay);
    }

    private string Sku => this.GetPrimaryKeyString();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _statsWrite.FlushAsync();

    public async Task<Product> Upsert(ProductInput input)
    {
        var errors = new List<FieldError>();
        ProductRules.Validate(Sku, input, "", errors);
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }

        var old = _state.State.Product;
        var product = new Product
        {
            Sku = Sku,
            Title = input.Title.Trim(),
            Description = input.Description,
            Category = input.Category.Trim(),
            Brand = input.Brand,
            Price = input.Price,
            Stock = input.Stock,
            Attributes = input.Attributes,
            UpdatedAt = _time.GetUtcNow(),
        };
        var textChanged = old is null || old.Title != product.Title || old.Description != product.Description || old.Category != product.Category;
        var newCategory = ProductRules.CategoryKey(product.Category);
        var oldCategory = old is null ? null : ProductRules.CategoryKey(old.Category);

        // Directory first: a crash in between leaves a listed SKU without a record (listing skips it), never a
        // product that no listing can find.
        if (newCategory != oldCategory)
        {
            await GrainFactory.GetGrain<ICategoryDirectoryGrain>(newCategory).Add(Sku);
        }

        _state.State.Product = product;
        if (textChanged)
        {
            _state.State.TextEmbedding = null;
        }

        _statsWrite.Reset();
        await _state.WriteStateAsync();
        if (oldCategory is not null && newCategory != oldCategory)
        {
            await GrainFactory.GetGrain<ICategoryDirectoryGrain>(oldCategory).Remove(Sku);
        }

        return product with { HasEmbedding = _state.State.TextEmbedding is not null };
    }

    public Task<Product?> Get() =>
        Task.FromResult(_state.State.Product is { } p ? p with { HasEmbedding = _state.State.TextEmbedding is not null } : null);

    public async Task<bool> Delete()
    {
        if (_state.State.Product is not { } product)
        {
            return false;
        }

        _statsWrite.Reset();
        await _state.ClearStateAsync();
        _state.State = new ProductState();
        await GrainFactory.GetGrain<ICategoryDirectoryGrain>(ProductRules.CategoryKey(product.Category)).Remove(Sku);
        DeactivateOnIdle();
        return true;
    }

    public Task<ImmutableArray<DailyProductStats>> GetStats(int days)
    {
        var daily = _state.State.Daily;
        return Task.FromResult(daily.AsEnumerable().Reverse().Take(Math.Clamp(days, 1, StatsDays)).ToImmutableArray());
    }

    public Task AddInteractions(ImmutableArray<DailyProductStats> deltas)
    {
        var daily = _state.State.Daily;
        foreach (var delta in deltas)
        {
            var i = daily.FindIndex(d => d.Day == delta.Day);
            if (i >= 0)
            {
                daily[i] = daily[i].Add(delta);
            }
            else
            {
                daily.Add(delta);
                daily.Sort((a, b) => a.Day.CompareTo(b.Day));
                if (daily.Count > StatsDays)
                {
                    daily.RemoveRange(0, daily.Count - StatsDays);
                }
            }
        }

        _statsWrite.Schedule();
        return Task.CompletedTask;
    }
}
