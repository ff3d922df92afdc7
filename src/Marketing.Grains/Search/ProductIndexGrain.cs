using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Marketing.Abstractions;
using Marketing.Abstractions.Search;
using Marketing.Grains.Storage;
using Marketing.Ml.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Search;

/// <summary>
/// One shard of the product vectors, searched in memory. Products hold their own embeddings and are the source of
/// truth; the shard keeps a snapshot, written behind, so a restart does not have to visit every product. A scan of a
/// shard takes a fraction of a millisecond, so it runs in the grain's turn, single-threaded: the parallelism comes from
/// the shards, which spread over the silos. Reentrant so that searches and updates go on while a snapshot (megabytes)
/// is being written: every turn is still single-threaded, and a snapshot is copied out before its write begins.
/// </summary>
[CollectionAgeLimit(AlwaysActive = true)]
[Reentrant]
public sealed partial class ProductIndexGrain : Grain, IProductIndexGrain, IWriteBehindGrain
{
    private readonly IPersistentState<ProductIndexState> _state;
    private readonly ILogger<ProductIndexGrain> _logger;
    private readonly DeferredWrite _snapshot;
    private ProductVectorIndex? _index;
    private bool _writing;

    public ProductIndexGrain(
        [PersistentState("product-index", StorageNames.GrainState)] IPersistentState<ProductIndexState> state,
        IOptions<SearchOptions> options,
        WriteBehindScheduler scheduler,
        ILogger<ProductIndexGrain> logger)
    {
        _state = state;
        _logger = logger;
        _snapshot = new DeferredWrite(this, scheduler, WriteSnapshotAsync, options.Value.SnapshotInterval);
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var s = _state.State;
        if (s.Skus.Length > 0)
        {
            var vectors = MemoryMarshal.Cast<byte, float>(s.Vectors);
            _index = NewIndex(s.Dimensions);
            for (var i = 0; i < s.Skus.Length; i++)
            {
                _index.Upsert(s.Skus[i], vectors.Slice(i * s.Dimensions, s.Dimensions), s.Categories[i], s.InStock[i]);
            }

            LogLoaded(this.GetPrimaryKeyLong(), s.Skus.Length);
        }

        Release();
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

        _index?.Dispose();
    }

    public Task Upsert(IndexedProduct product)
    {
        ArgumentNullException.ThrowIfNull(product);
        _index ??= NewIndex(product.Vector.Length);
        if (product.Vector.Length != _index.Dimensions)
        {
            throw new InvalidInputException("vector", $"has {product.Vector.Length} dimensions; this index holds {_index.Dimensions} (was the encoder model changed without a reindex?)");
        }

        _index.Upsert(product.Sku, product.Vector, product.CategoryKey, product.InStock);
        _snapshot.Schedule();
        return Task.CompletedTask;
    }

    public Task<bool> Remove(string sku)
    {
        var removed = _index?.Remove(sku) ?? false;
        if (removed)
        {
            _snapshot.Schedule();
        }

        return Task.FromResult(removed);
    }

    public Task<ImmutableArray<ScoredSku>> Search(VectorQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (_index is null || _index.Count == 0)
        {
            return Task.FromResult(ImmutableArray<ScoredSku>.Empty);
        }

        if (query.Vector.Length != _index.Dimensions)
        {
            throw new InvalidInputException("vector", $"has {query.Vector.Length} dimensions; this index holds {_index.Dimensions}");
        }

        // One more than asked for when a product is to be left out of its own neighbours.
        var k = Math.Min(ProductVectorIndex.MaxK, query.K + (query.ExcludeSku is null ? 0 : 1));
        var matches = _index.Search(query.Vector, k, new ProductFilter(query.CategoryKey, query.InStockOnly));
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

    public Task<int> Count() => Task.FromResult(_index?.Count ?? 0);

    public Task FlushWriteBehind() => _snapshot.OnDueAsync();

    private static ProductVectorIndex NewIndex(int dimensions) => new(dimensions, maxDegreeOfParallelism: 1);

    private async Task WriteSnapshotAsync()
    {
        var index = _index;
        if (index is null)
        {
            return;
        }

        if (_writing)
        {
            // One write at a time (a second would race the first's etag); the changes ride on the next one.
            _snapshot.Schedule();
            return;
        }

        var count = index.Count;
        var snapshot = new ProductIndexState
        {
            Dimensions = index.Dimensions,
            Skus = new string[count],
            Categories = new string[count],
            InStock = new bool[count],
            Vectors = new byte[count * index.Dimensions * sizeof(float)],
        };
        var row = 0;
        index.ForEach((sku, vector, category, stocked) =>
        {
            snapshot.Skus[row] = sku;
            snapshot.Categories[row] = category;
            snapshot.InStock[row] = stocked;
            MemoryMarshal.AsBytes(vector).CopyTo(snapshot.Vectors.AsSpan(row * vector.Length * sizeof(float)));
            row++;
        });
        _state.State = snapshot;
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
    }

    /// <summary>
    /// Drops the snapshot's arrays (the index has them). A new object rather than emptied arrays, since a storage
    /// provider may still hold the written one; the etag lives beside the state and stays for the next write.
    /// </summary>
    private void Release() => _state.State = new ProductIndexState();

    [LoggerMessage(Level = LogLevel.Information, Message = "Product index shard {Shard} loaded {Count} products from its snapshot")]
    private partial void LogLoaded(long shard, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Product index shard {Shard} could not write its snapshot on deactivation")]
    private partial void LogSnapshotFailed(Exception ex, long shard);
}
