using System.Collections.Immutable;
using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Search;
using Marketing.Grains.Storage;
using Marketing.Ml.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Search;

/// <summary>
/// One shard of the product vectors, searched in memory, kept apart by the model that made them
/// (<see cref="ProductVectorsByModel"/>) so that a query meets only its own model's vectors. Products hold their own
/// embeddings and are the source of truth; the shard keeps a snapshot, written behind, so a restart does not have to visit every product. A small mark
/// beside the snapshot says whether changes were made since it was written: a shard that comes back from a crash with
/// the mark set walks the catalogue and takes its products' current entries again (<see cref="ShardRepair"/>). A scan of a
/// shard takes a fraction of a millisecond, so it runs in the grain's turn, single-threaded: the parallelism comes from
/// the shards, which spread over the silos. Reentrant so that searches and updates go on while a snapshot (megabytes)
/// is being written: every turn is still single-threaded, and a snapshot is copied out before its write begins.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
[Reentrant]
public sealed partial class ProductIndexGrain : Grain, IProductIndexGrain, IWriteBehindGrain
{
    private static readonly TimeSpan RepairRetryDelay = TimeSpan.FromSeconds(10);

    private readonly IPersistentState<ProductIndexState> _state;
    private readonly ShardSnapshotMark _mark;
    private readonly ILogger<ProductIndexGrain> _logger;
    private readonly DeferredWrite _snapshot;
    private readonly int _shards;
    private readonly TimeSpan _quietPeriod;
    private readonly ProductVectorsByModel _vectors = new();
    private readonly ShardTexts _texts = new();
    private bool _writing;
    private long _changes;
    private long _lastChange;
    private IGrainTimer? _quiet;
    private HashSet<string>? _changedDuringRepair;
    private IGrainTimer? _repair;

    public ProductIndexGrain(
        [PersistentState("product-index", StorageNames.CatalogueState)] IPersistentState<ProductIndexState> state,
        [PersistentState("product-index-mark", StorageNames.CatalogueState)] IPersistentState<ProductIndexMark> mark,
        IOptions<SearchOptions> options,
        WriteBehindScheduler scheduler,
        ILogger<ProductIndexGrain> logger)
    {
        _state = state;
        _mark = new ShardSnapshotMark(mark);
        _logger = logger;
        _shards = options.Value.Shards;
        _quietPeriod = options.Value.SnapshotQuietPeriod;
        _snapshot = new DeferredWrite(this, scheduler, WriteSnapshotAsync, options.Value.SnapshotInterval);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var s = _state.State;
        if (s.Skus.Length > 0)
        {
            // Written before vectors named their model: which model made them is not known, so none is the current one.
            _vectors.Load(new ProductIndexPart
            {
                Model = EmbeddingModelId.Unrecorded(s.Dimensions),
                Skus = s.Skus,
                Categories = s.Categories,
                InStock = s.InStock,
                Vectors = s.Vectors,
            });
        }

        foreach (var part in s.Parts)
        {
            _vectors.Load(part);
        }

        _texts.Load(s.Texts);

        if (_vectors.Count > 0)
        {
            LogLoaded(this.GetPrimaryKeyLong(), _vectors.Count);
        }

        Release();
        if (_mark.LeftSet())
        {
            // The last activation stopped before a snapshot held all its changes: it crashed.
            LogRepairing(this.GetPrimaryKeyLong());
            _repair = this.RegisterGrainTimer(RepairOnceAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true });
        }

        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await _snapshot.FlushAsync();
        }
        catch (Exception ex)
        {
            LogSnapshotFailed(ex, this.GetPrimaryKeyLong());
        }

        _vectors.Dispose();
    }

    public async Task Upsert(IndexedProduct product)
    {
        ArgumentNullException.ThrowIfNull(product);
        if (product.Vector.Length != product.Model.Dimensions)
        {
            throw new InvalidInputException("vector", $"has {product.Vector.Length} dimensions; its model {product.Model} makes {product.Model.Dimensions}");
        }

        await _mark.SetAsync();
        _vectors.Upsert(product);
        _texts.Upsert(product);
        Changed(product.Sku);
    }

    public async Task<bool> Remove(string sku)
    {
        if (!_vectors.Contains(sku) && !_texts.Contains(sku))
        {
            return false;
        }

        await _mark.SetAsync();
        var removed = _vectors.Remove(sku) | _texts.Remove(sku);
        if (removed)
        {
            Changed(sku);
        }

        return removed;
    }

    public Task<ImmutableArray<ScoredSku>> Search(VectorQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);

        // Only the query's own model's vectors: another model's cosine with it means nothing.
        if (_vectors.Of(query.Model) is not { Count: > 0 } index)
        {
            return Task.FromResult(ImmutableArray<ScoredSku>.Empty);
        }

        if (query.Vector.Length != index.Dimensions)
        {
            throw new InvalidInputException("vector", $"has {query.Vector.Length} dimensions; its model {query.Model} makes {index.Dimensions}");
        }

        // One more than asked for when a product is to be left out of its own neighbours.
        var k = Math.Min(ProductVectorIndex.MaxK, query.K + (query.ExcludeSku is null ? 0 : 1));
        var matches = index.Search(query.Vector, k, new ProductFilter(query.CategoryKey, query.InStockOnly));
        var result = ImmutableArray.CreateBuilder<ScoredSku>(matches.Count);
        foreach (var match in matches)
        {
            if (match.Sku != query.ExcludeSku && result.Count < query.K)
            {
                result.Add(new ScoredSku(match.Sku, match.Score, 1f, match.Category));
            }
        }

        return Task.FromResult(result.ToImmutable());
    }

    public Task<ImmutableArray<ScoredSku>> SearchText(TextQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult<ImmutableArray<ScoredSku>>([.. _texts.Search(query).Select(m => new ScoredSku(m.Sku, m.Score, m.Coverage, m.Category))]);
    }

    public Task<int> Count() => Task.FromResult(_vectors.Count);

    public Task<ImmutableArray<IndexedByModel>> CountByModel() => Task.FromResult(_vectors.CountByModel());

    public Task<bool> IsRepairing() => Task.FromResult(_repair is not null);

    public Task FlushWriteBehind() => _snapshot.OnDueAsync();

    private void Changed(string sku)
    {
        _changes++;
        _lastChange = Stopwatch.GetTimestamp();
        _changedDuringRepair?.Add(sku);
        _snapshot.Schedule();
        _quiet ??= this.RegisterGrainTimer(WriteWhenQuietAsync, new GrainTimerCreationOptions(_quietPeriod, _quietPeriod) { Interleave = true });
    }

    /// <summary>
    /// Writes the snapshot once changes have stopped for the quiet period. The timer stays while a change is left
    /// unwritten (one that came during the write, or a write that failed) and goes once the snapshot holds them all.
    /// </summary>
    private async Task WriteWhenQuietAsync(CancellationToken cancellationToken)
    {
        if (_snapshot.IsPending && Stopwatch.GetElapsedTime(_lastChange) < _quietPeriod)
        {
            return;
        }

        if (_snapshot.IsPending)
        {
            try
            {
                await _snapshot.FlushAsync();
            }
            catch (Exception ex)
            {
                LogQuietSnapshotFailed(ex, this.GetPrimaryKeyLong());
            }
        }

        if (!_snapshot.IsPending)
        {
            _quiet?.Dispose();
            _quiet = null;
        }
    }

    private async Task RepairOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RepairAsync(cancellationToken);
            _repair?.Dispose();
            _repair = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRepairFailed(ex, this.GetPrimaryKeyLong(), RepairRetryDelay);
            _repair?.Change(RepairRetryDelay, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var changedMeanwhile = _changedDuringRepair = new HashSet<string>(StringComparer.Ordinal);
        int restored, removed;
        try
        {
            (restored, removed) = await ShardRepair.RunAsync(
                GrainFactory, (int)this.GetPrimaryKeyLong(), _shards, _vectors, _texts, changedMeanwhile, Changed, cancellationToken);
        }
        finally
        {
            _changedDuringRepair = null;
        }

        LogRepaired((int)this.GetPrimaryKeyLong(), restored, removed, _vectors.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private async Task WriteSnapshotAsync()
    {
        if (_writing)
        {
            // One write at a time (a second would race the first's etag); the changes ride on the next one.
            _snapshot.Schedule();
            return;
        }

        var changes = _changes;
        _state.State = new ProductIndexState { Parts = _vectors.ToParts(), Texts = _texts.ToPart() };
        _writing = true;
        try
        {
            await _state.WriteStateAsync();
        }
        finally
        {
            _writing = false;
            Release();
        }

        try
        {
            await _mark.ClearAsync(() => _changes == changes && _changedDuringRepair is null);
        }
        catch (Exception ex)
        {
            // A mark left set only costs a needless repair at the next activation.
            LogMarkNotCleared(ex, this.GetPrimaryKeyLong());
        }
    }

    /// <summary>
    /// Drops the snapshot's arrays (the index has them). A new object rather than emptied arrays, since a storage
    /// provider may still hold the written one; the etag lives beside the state and stays for the next write.
    /// </summary>
    private void Release() => _state.State = new ProductIndexState();

    [LoggerMessage(Level = LogLevel.Information, Message = "Product index shard {Shard} loaded {Count} products from its snapshot")]
    private partial void LogLoaded(long shard, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product index shard {Shard} was not shut down cleanly: its snapshot may lack the last changes, so it takes them from the products again")]
    private partial void LogRepairing(long shard);

    [LoggerMessage(Level = LogLevel.Information, Message = "Product index shard {Shard} repaired from the catalogue: {Restored} products taken again, {Removed} removed, {Count} held, in {Seconds:F1} s")]
    private partial void LogRepaired(int shard, int restored, int removed, int count, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Product index shard {Shard} could not repair itself from the catalogue; trying again in {Delay}")]
    private partial void LogRepairFailed(Exception ex, long shard, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product index shard {Shard} wrote its snapshot but could not clear its mark; its next activation will repair needlessly")]
    private partial void LogMarkNotCleared(Exception ex, long shard);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Product index shard {Shard} could not write its snapshot once its changes stopped; it tries again")]
    private partial void LogQuietSnapshotFailed(Exception ex, long shard);

    [LoggerMessage(Level = LogLevel.Error, Message = "Product index shard {Shard} could not write its snapshot on deactivation")]
    private partial void LogSnapshotFailed(Exception ex, long shard);
}
