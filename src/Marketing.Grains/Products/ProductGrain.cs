using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Grains.Events;
using Marketing.Grains.Search;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Marketing.Grains.Products;

/// <summary>
/// One catalogue item. The record is written through (catalogue changes are rare and must not be lost); the daily
/// counters are written behind, since they arrive once a second from every silo. The text embedding is computed when
/// the text is new or changed, stored with the record, and pushed to the product's index shard; if the encoder is
/// busy the product is stored without one and a timer tries again.
/// </summary>
public sealed partial class ProductGrain : Grain, IProductGrain, IProductStatsSink, IProductEmbedding, IWriteBehindGrain
{
    public const int StatsDays = 120;

    private readonly IPersistentState<ProductState> _state;
    private readonly TimeProvider _time;
    private readonly DeferredWrite _statsWrite;
    private readonly SearchOptions _search;
    private readonly ProductEmbeddingCache _embeddings;
    private readonly ProductStatsBuffer _stats;
    private readonly ILogger<ProductGrain> _logger;
    private IGrainTimer? _embeddingRetry;

    // Interaction counts added since the state was last written, by day: needed again if another activation of this
    // product wrote first.
    private List<DailyProductStats>? _unsavedStats;

    public ProductGrain(
        [PersistentState("product", StorageNames.CatalogueState)] IPersistentState<ProductState> state,
        TimeProvider time,
        WriteBehindScheduler scheduler,
        IOptions<SearchOptions> search,
        IOptions<EventIntakeOptions> intake,
        ProductEmbeddingCache embeddings,
        ProductStatsBuffer stats,
        ILogger<ProductGrain> logger)
    {
        _embeddings = embeddings;
        _stats = stats;
        _state = state;
        _time = time;
        _search = search.Value;
        _logger = logger;
        _statsWrite = new DeferredWrite(this, scheduler, WriteStatsAsync, intake.Value.ProductStatsWriteDelay);
    }

    private string Sku => this.GetPrimaryKeyString();

    private IProductIndexGrain Shard => GrainFactory.Ref<IProductIndexGrain>(SearchShards.Of(Sku, _search.Shards));

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A product stored while the encoder was busy (or before embeddings existed) catches up once it is awake.
        if (_state.State is { Product: not null, TextEmbedding: null })
        {
            ScheduleEmbeddingRetry();
        }

        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (reason.ReasonCode == DeactivationReasonCode.DirectoryFailure && _unsavedStats is { } unsaved)
        {
            // A silo died and took this activation's directory entry with it; Orleans deactivates every such
            // activation at once. Writing them all would queue thousands of writes at storage while calls wait, so
            // the unwritten counts go back to the silo's tally, which hands them to the next activation within seconds.
            _statsWrite.Reset();
            _unsavedStats = null;
            _stats.Return(Sku, unsaved);
            return Task.CompletedTask;
        }

        return _statsWrite.FlushAsync();
    }

    public Task FlushWriteBehind() => _statsWrite.OnDueAsync();

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

        var embedding = (textChanged ? null : _state.State.TextEmbedding) ?? await TryEmbedAsync(product);
        _state.State.Product = product;
        _state.State.TextEmbedding = embedding;

        // Over another activation's write the latest upsert wins, as it would have a moment later.
        await WriteOwnChangeAsync(() => (_state.State.Product, _state.State.TextEmbedding) = (product, embedding));
        if (textChanged)
        {
            _embeddings.Forget(Sku);
        }

        // Every upsert goes to the shard (stock and category change the filters), so resending an upsert also
        // repairs a shard that missed it.
        if (embedding is not null)
        {
            await Shard.Upsert(IndexEntry(product, embedding));
        }
        else
        {
            // Old text must not stay findable under the new record.
            await Shard.Remove(Sku);
            ScheduleEmbeddingRetry();
        }

        if (oldCategory is not null && newCategory != oldCategory)
        {
            await GrainFactory.GetGrain<ICategoryDirectoryGrain>(oldCategory).Remove(Sku);
        }

        return product with { HasEmbedding = embedding is not null };
    }

    public Task<float[]?> GetTextEmbedding() => Task.FromResult(_state.State.TextEmbedding);

    public Task<IndexedProduct?> GetIndexEntry() =>
        Task.FromResult(_state.State is { Product: { } product, TextEmbedding: { } embedding } ? IndexEntry(product, embedding) : null);

    public async Task<bool> Reindex()
    {
        if (_state.State.Product is not { } product)
        {
            return false;
        }

        if (_state.State.TextEmbedding is null)
        {
            await EmbedStoredAsync();
        }
        else
        {
            await Shard.Upsert(IndexEntry(product, _state.State.TextEmbedding));
        }

        return true;
    }

    /// <summary>What the encoder reads: the title first (it matters most and survives truncation), then category and description.</summary>
    public static string EmbeddingText(Product product) =>
        string.IsNullOrWhiteSpace(product.Description)
            ? $"{product.Title}. {product.Category}"
            : $"{product.Title}. {product.Category}. {product.Description}";

    private static IndexedProduct IndexEntry(Product product, float[] embedding) =>
        new(product.Sku, embedding, ProductRules.CategoryKey(product.Category), product.Stock > 0);

    private async Task<float[]?> TryEmbedAsync(Product product)
    {
        try
        {
            return await GrainFactory.Ref<IEmbeddingGrain>(0).Embed(EmbeddingText(product));
        }
        catch (EncoderBusyException busy)
        {
            LogEmbeddingDeferred(Sku, busy.Message);
            return null;
        }
    }

    private async Task EmbedStoredAsync()
    {
        if (_state.State is not { Product: { } product, TextEmbedding: null })
        {
            return;
        }

        var embedding = await TryEmbedAsync(product);
        if (embedding is null)
        {
            ScheduleEmbeddingRetry();
            return;
        }

        _state.State.TextEmbedding = embedding;

        // Over another activation's write the embedding goes only to the text it was made from.
        await WriteOwnChangeAsync(() =>
        {
            if (_state.State.Product is { } stored && EmbeddingText(stored) == EmbeddingText(product))
            {
                _state.State.TextEmbedding = embedding;
            }
        });
        if (_state.State.TextEmbedding != embedding)
        {
            return;
        }

        _embeddings.Forget(Sku);
        await Shard.Upsert(IndexEntry(product, embedding));
    }

    private void ScheduleEmbeddingRetry()
    {
        _embeddingRetry?.Dispose();
        _embeddingRetry = this.RegisterGrainTimer(
            async _ =>
            {
                _embeddingRetry?.Dispose();
                _embeddingRetry = null;
                await EmbedStoredAsync();
            },
            new GrainTimerCreationOptions(_search.EmbeddingRetryDelay, Timeout.InfiniteTimeSpan) { KeepAlive = true });
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
        _embeddingRetry?.Dispose();
        _embeddingRetry = null;
        await _state.ClearStateAsync();
        _state.State = new ProductState();
        _embeddings.Forget(Sku);
        await Shard.Remove(Sku);
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
        foreach (var delta in deltas)
        {
            AddTo(_state.State.Daily, delta);
            AddTo(_unsavedStats ??= [], delta);
        }

        _statsWrite.Schedule();
        return Task.CompletedTask;
    }

    /// <summary>Adds a day's counts to a list of days, oldest first, keeping the last <see cref="StatsDays"/>.</summary>
    private static void AddTo(List<DailyProductStats> daily, DailyProductStats delta)
    {
        var i = daily.FindIndex(d => d.Day == delta.Day);
        if (i >= 0)
        {
            daily[i] = daily[i].Add(delta);
            return;
        }

        daily.Add(delta);
        daily.Sort((a, b) => a.Day.CompareTo(b.Day));
        if (daily.Count > StatsDays)
        {
            daily.RemoveRange(0, daily.Count - StatsDays);
        }
    }

    /// <summary>
    /// Writes a change of this activation's own (the product record or its embedding), and with it the counts not yet
    /// written; <paramref name="reapply"/> puts the change on another activation's state if that wrote first.
    /// </summary>
    private Task WriteOwnChangeAsync(Action reapply)
    {
        _statsWrite.Reset();
        return WriteMergingAsync(reapply);
    }

    /// <summary>The write-behind of the counts.</summary>
    private Task WriteStatsAsync() => WriteMergingAsync(reapply: null);

    /// <summary>
    /// Writes the state. If another activation of this product wrote first (Orleans can briefly run two while silos
    /// join or leave), the stored state is read back, <paramref name="reapply"/> puts this activation's own change on
    /// it, its unsaved counts are added, it is written again, and this activation retires: the change is stored rather
    /// than refused, and no count is lost.
    /// </summary>
    private async Task WriteMergingAsync(Action? reapply)
    {
        try
        {
            await _state.WriteStateAsync();
        }
        catch (InconsistentStateException)
        {
            await ConflictMerge.WriteMergedAsync(_state, () =>
            {
                reapply?.Invoke();
                AddUnsavedCounts();
                return Task.CompletedTask;
            });
            DeactivateOnIdle();
        }

        _unsavedStats = null;
    }

    private void AddUnsavedCounts()
    {
        foreach (var delta in _unsavedStats ?? [])
        {
            AddTo(_state.State.Daily, delta);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product {Sku} stored without an embedding for now: {Reason}")]
    private partial void LogEmbeddingDeferred(string sku, string reason);
}
