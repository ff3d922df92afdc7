using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Grains.Events;
using Marketing.Grains.Search;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Products;

/// <summary>
/// One catalogue item. The record is written through (catalogue changes are rare and must not be lost); the daily
/// counters live in <see cref="ProductCountersGrain"/> under the same SKU, written behind. The text
/// embedding is computed when the text is new or changed, stored with the record and the model that made it, and pushed
/// to the product's index shard; if the encoder is busy the product is stored without one and a timer tries again. An
/// embedding another model made is made again on the next upsert or reindex.
/// </summary>
public sealed partial class ProductGrain : Grain, IProductGrain, IProductEmbedding
{
    private readonly IPersistentState<ProductState> _state;
    private readonly WriteBehindState<ProductState> _record;
    private readonly TimeProvider _time;
    private readonly SearchOptions _search;
    private readonly ProductEmbeddingCache _embeddings;
    private readonly CurrentEmbeddingModel _model;
    private readonly ILogger<ProductGrain> _logger;
    private IGrainTimer? _embeddingRetry;

    public ProductGrain(
        [PersistentState("product", StorageNames.CatalogueState)] IPersistentState<ProductState> state,
        TimeProvider time,
        WriteBehindScheduler scheduler,
        IOptions<SearchOptions> search,
        IOptions<EventIntakeOptions> intake,
        ProductEmbeddingCache embeddings,
        CurrentEmbeddingModel model,
        ILogger<ProductGrain> logger)
    {
        _model = model;
        _embeddings = embeddings;
        _state = state;
        _time = time;
        _search = search.Value;
        _logger = logger;

        // The record has nothing unsaved (each change is written by its call), so it never waits for the scheduler.
        _record = new WriteBehindState<ProductState>(this, state, NoUnsavedChanges.Instance, scheduler, intake.Value.ProductStatsWriteDelay);
    }

    private string Sku => this.GetPrimaryKeyString();

    private IProductIndexGrain Shard => GrainFactory.Ref<IProductIndexGrain>(SearchShards.Of(Sku, _search.Shards));

    private IProductCountersGrain Counters => GrainFactory.Ref<IProductCountersGrain>(Sku);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Counters stored with the record by an earlier build move to the counters grain, which adds them once; the
        // record drops them when next written.
        if (_state.State.Daily is { Count: > 0 } legacy)
        {
            await Counters.AdoptFromRecord([.. legacy]);
        }

        _state.State.Daily = null;

        // A product stored while the encoder was busy (or before embeddings existed) catches up once it is awake.
        if (_state.State is { Product: not null, TextEmbedding: null })
        {
            ScheduleEmbeddingRetry();
        }
    }

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

        var kept = !textChanged && EmbeddedByCurrentModel ? StoredEmbedding : null;
        var embedding = kept ?? await TryEmbedAsync(product);
        _state.State.Product = product;
        (_state.State.TextEmbedding, _state.State.TextEmbeddingModel) = (embedding?.Vector, embedding?.Model);

        // Over another activation's write the latest upsert wins, as it would have a moment later.
        await WriteOwnChangeAsync(() => (_state.State.Product, _state.State.TextEmbedding, _state.State.TextEmbeddingModel) = (product, embedding?.Vector, embedding?.Model));
        if (kept is null)
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

    public Task<Embedding?> GetTextEmbedding() => Task.FromResult(StoredEmbedding);

    public Task<IndexedProduct?> GetIndexEntry() =>
        Task.FromResult(_state.State.Product is { } product && StoredEmbedding is { } embedding ? IndexEntry(product, embedding) : null);

    public async Task<bool> Reindex()
    {
        if (_state.State.Product is not { } product)
        {
            return false;
        }

        if (EmbeddedByCurrentModel)
        {
            // Made by the encoder's model already: only the shard may lack it.
            await Shard.Upsert(IndexEntry(product, StoredEmbedding!));
        }
        else
        {
            await EmbedStoredAsync();
        }

        return true;
    }

    /// <summary>What the encoder reads (<see cref="SearchTexts.Embedding"/>).</summary>
    public static string EmbeddingText(Product product) => SearchTexts.Embedding(product);

    /// <summary>Whether the stored embedding exists and the encoder's model made it.</summary>
    private bool EmbeddedByCurrentModel => _state.State.TextEmbedding is not null && _model.Id.Equals(_state.State.TextEmbeddingModel);

    /// <summary>The stored embedding; one stored before embeddings named their model counts as an unknown model's.</summary>
    private Embedding? StoredEmbedding => _state.State.TextEmbedding is { } vector
        ? new Embedding(vector, _state.State.TextEmbeddingModel ?? EmbeddingModelId.Unrecorded(vector.Length))
        : null;

    private static IndexedProduct IndexEntry(Product product, Embedding embedding) =>
        new(product.Sku, embedding.Vector, ProductRules.CategoryKey(product.Category), product.Stock > 0, embedding.Model, SearchTexts.Lexical(product));

    private async Task<Embedding?> TryEmbedAsync(Product product)
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
        if (_state.State.Product is not { } product || EmbeddedByCurrentModel)
        {
            return;
        }

        var embedding = await TryEmbedAsync(product);
        if (embedding is null)
        {
            ScheduleEmbeddingRetry();
            return;
        }

        (_state.State.TextEmbedding, _state.State.TextEmbeddingModel) = (embedding.Vector, embedding.Model);

        // Over another activation's write the embedding goes only to the text it was made from.
        await WriteOwnChangeAsync(() =>
        {
            if (_state.State.Product is { } stored && EmbeddingText(stored) == EmbeddingText(product))
            {
                (_state.State.TextEmbedding, _state.State.TextEmbeddingModel) = (embedding.Vector, embedding.Model);
            }
        });
        if (_state.State.TextEmbedding != embedding.Vector)
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
        Task.FromResult(_state.State.Product is { } p ? p with { HasEmbedding = EmbeddedByCurrentModel } : null);

    public async Task<bool> Delete()
    {
        if (_state.State.Product is not { } product)
        {
            return false;
        }

        _embeddingRetry?.Dispose();
        _embeddingRetry = null;
        await _state.ClearStateAsync();
        _state.State = new ProductState();
        await Counters.Clear();
        _embeddings.Forget(Sku);
        await Shard.Remove(Sku);
        await GrainFactory.GetGrain<ICategoryDirectoryGrain>(ProductRules.CategoryKey(product.Category)).Remove(Sku);
        DeactivateOnIdle();
        return true;
    }

    public Task<ImmutableArray<DailyProductStats>> GetStats(int days) => Counters.GetStats(days);

    /// <summary>
    /// Writes a change of this activation's own to the record (the product or its embedding); <paramref name="reapply"/>
    /// puts the change on another activation's record if that wrote first: the change is stored rather than refused.
    /// </summary>
    private Task WriteOwnChangeAsync(Action reapply) => _record.WriteNowAsync(reapply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product {Sku} stored without an embedding for now: {Reason}")]
    private partial void LogEmbeddingDeferred(string sku, string reason);
}
