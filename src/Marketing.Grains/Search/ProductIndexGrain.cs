using System.Collections.Immutable;
using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
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
/// the mark set walks the catalogue and takes its products' current entries again (<see cref="RepairAsync"/>). A scan of a
/// shard takes a fraction of a millisecond, so it runs in the grain's turn, single-threaded: the parallelism comes from
/// the shards, which spread over the silos. Reentrant so that searches and updates go on while a snapshot (megabytes)
/// is being written: every turn is still single-threaded, and a snapshot is copied out before its write begins.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
[Reentrant]
public sealed partial class ProductIndexGrain : Grain, IProductIndexGrain, IWriteBehindGrain
{
    /// <summary>SKUs a repair reads from the category directories at a time.</summary>
    private const int RepairPage = 500;

    /// <summary>
    /// Products a repair asks at once. Each call may activate a product, which reads its state: every shard of a
    /// crashed silo repairs at the same time, and hundreds of reads at once would crowd out the intake.
    /// </summary>
    private const int RepairConcurrentCalls = 4;

    private static readonly TimeSpan RepairRetryDelay = TimeSpan.FromSeconds(10);

    private readonly IPersistentState<ProductIndexState> _state;
    private readonly IPersistentState<ProductIndexMark> _mark;
    private readonly SemaphoreSlim _markGate = new(1, 1);
    private readonly ILogger<ProductIndexGrain> _logger;
    private readonly DeferredWrite _snapshot;
    private readonly int _shards;
    private readonly TimeSpan _quietPeriod;
    private readonly ProductVectorsByModel _vectors = new();
    private bool _writing;
    private long _changes;
    private long _lastChange;
    private IGrainTimer? _quiet;

    // True only while storage surely holds SnapshotBehind = true: a change waits for that, not for the in-memory flag.
    private bool _markStored;
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
        _mark = mark;
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

        if (_vectors.Count > 0)
        {
            LogLoaded(this.GetPrimaryKeyLong(), _vectors.Count);
        }

        Release();
        _markStored = _mark.State.SnapshotBehind;
        if (_mark.State.SnapshotBehind)
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

        await MarkSnapshotBehindAsync();
        _vectors.Upsert(product);
        Changed(product.Sku);
    }

    public async Task<bool> Remove(string sku)
    {
        if (!_vectors.Contains(sku))
        {
            return false;
        }

        await MarkSnapshotBehindAsync();
        var removed = _vectors.Remove(sku);
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
                result.Add(new ScoredSku(match.Sku, match.Score));
            }
        }

        return Task.FromResult(result.ToImmutable());
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

    /// <summary>Before a change is applied (and acknowledged), the mark must say the snapshot lacks it.</summary>
    private Task MarkSnapshotBehindAsync() => _markStored ? Task.CompletedTask : SetMarkAsync(behind: true, 0);

    /// <summary>
    /// Writes the mark, one write at a time (a second would race the first's etag). Clearing happens only while no
    /// change came after the snapshot that was written at change count <paramref name="snapshotChanges"/>.
    /// </summary>
    private async Task SetMarkAsync(bool behind, long snapshotChanges)
    {
        await _markGate.WaitAsync();
        try
        {
            // Not cleared while a repair runs either: a crash in the middle of one must repair again.
            if (behind ? _markStored : !_mark.State.SnapshotBehind || _changes != snapshotChanges || _changedDuringRepair is not null)
            {
                return;
            }

            // Changes that come while the mark is being cleared wait at the gate, then set it again.
            _markStored = false;
            _mark.State.SnapshotBehind = behind;
            try
            {
                await _mark.WriteStateAsync();
                _markStored = behind;
            }
            catch
            {
                // What storage holds is unknown now: keep the flag set, and let the next change write it again.
                _mark.State.SnapshotBehind = true;
                throw;
            }
        }
        finally
        {
            _markGate.Release();
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

    /// <summary>
    /// After a crash the snapshot may lack the last changes, or hold products removed since. Walks the catalogue's
    /// category directories, takes the current entry of every product of this shard, and drops what no product backs.
    /// Searches and updates go on meanwhile; a product updated during the walk keeps its newer entry.
    /// </summary>
    private async Task RepairAsync(CancellationToken cancellationToken)
    {
        var shard = (int)this.GetPrimaryKeyLong();
        var started = Stopwatch.GetTimestamp();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changedDuringRepair = _changedDuringRepair = new HashSet<string>(StringComparer.Ordinal);
        var (restored, removed) = (0, 0);
        try
        {
            await foreach (var skus in GrainFactory.SkuPagesAsync(RepairPage, cancellationToken))
            {
                await TakeAgainAsync([.. skus.Where(sku => SearchShards.Of(sku, _shards) == shard && seen.Add(sku))]);
            }

            // What the snapshot holds that no directory lists was removed before the crash, or its listing was lost:
            // its product decides.
            var unlisted = new List<string>();
            _vectors.ForEach((_, sku) =>
            {
                if (!seen.Contains(sku))
                {
                    unlisted.Add(sku);
                }
            });
            foreach (var chunk in unlisted.Chunk(RepairPage))
            {
                cancellationToken.ThrowIfCancellationRequested();
                await TakeAgainAsync(chunk);
            }
        }
        finally
        {
            _changedDuringRepair = null;
        }

        LogRepaired(shard, restored, removed, _vectors.Count, Stopwatch.GetElapsedTime(started).TotalSeconds);

        async Task TakeAgainAsync(string[] skus)
        {
            var entries = new List<IndexedProduct?>(skus.Length);
            foreach (var chunk in skus.Chunk(RepairConcurrentCalls))
            {
                entries.AddRange(await Task.WhenAll(chunk.Select(sku => GrainFactory.GetGrain<IProductEmbedding>(sku).GetIndexEntry())));
            }

            for (var i = 0; i < skus.Length; i++)
            {
                if (changedDuringRepair.Contains(skus[i]))
                {
                    continue;
                }

                if (entries[i] is { } entry && SearchShards.Of(entry.Sku, _shards) == shard && _vectors.Upsert(entry))
                {
                    Changed(entry.Sku);
                    restored++;
                }
                else if (_vectors.Remove(skus[i]))
                {
                    Changed(skus[i]);
                    removed++;
                }
            }
        }
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
        _state.State = new ProductIndexState { Parts = _vectors.ToParts() };
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
            await SetMarkAsync(behind: false, changes);
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
