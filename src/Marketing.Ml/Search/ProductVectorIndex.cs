using System.Numerics.Tensors;

namespace Marketing.Ml.Search;

/// <summary>One stored product as <see cref="ProductVectorIndex.ForEach"/> hands it out.</summary>
public delegate void IndexEntryVisitor(string sku, ReadOnlySpan<float> vector, string category, bool inStock);

/// <summary>
/// Product embeddings searchable by dot product (cosine, for unit vectors). A search scores every stored product with
/// SIMD on 8-bit copies of the vectors (a quarter of the memory traffic of floats, which is what bounds a scan of 50,000
/// products), in parallel slices over the cores, then re-scores the best few times k candidates exactly in floats: the
/// scores returned are exact, and the quantisation error (about 1e-3) is far below the gap the candidate margin covers.
/// Vectors live in fixed-size blocks so growth never copies the whole index. Thread-safe: any number of concurrent
/// searches; an update waits for running searches and vice versa.
/// </summary>
public sealed class ProductVectorIndex : IDisposable
{
    public const int MaxK = 100;

    private const int BlockRows = 4096;

    /// <summary>Rows one parallel slice scores at least: below that, handing work to another core costs more than it saves.</summary>
    private const int RowsPerSlice = 8192;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Dictionary<string, int> _rowOfSku = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _categoryIds = new(StringComparer.Ordinal);
    private readonly List<string> _categoryNames = [];
    private readonly List<float[]> _blocks = [];
    private readonly List<sbyte[]> _codeBlocks = [];
    private readonly int _maxDegreeOfParallelism;
    private string[] _skus = new string[BlockRows];
    private int[] _categories = new int[BlockRows];
    private bool[] _inStock = new bool[BlockRows];
    private float[] _scales = new float[BlockRows];
    private int _count;

    /// <param name="dimensions">Length of every vector (384 for all-MiniLM-L6-v2).</param>
    /// <param name="maxDegreeOfParallelism">Cores one search may use; 0 means all.</param>
    public ProductVectorIndex(int dimensions, int maxDegreeOfParallelism = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimensions);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDegreeOfParallelism);
        Dimensions = dimensions;
        _maxDegreeOfParallelism = maxDegreeOfParallelism == 0 ? Environment.ProcessorCount : maxDegreeOfParallelism;
    }

    public int Dimensions { get; }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds the product, or replaces its vector, category and stock flag.</summary>
    public void Upsert(string sku, ReadOnlySpan<float> vector, string category, bool inStock)
    {
        ArgumentException.ThrowIfNullOrEmpty(sku);
        ArgumentNullException.ThrowIfNull(category);
        if (vector.Length != Dimensions)
        {
            throw new ArgumentException($"Vector has {vector.Length} dimensions; this index holds {Dimensions}.", nameof(vector));
        }

        _lock.EnterWriteLock();
        try
        {
            if (!_rowOfSku.TryGetValue(sku, out var row))
            {
                row = _count++;
                EnsureCapacity(_count);
                _rowOfSku.Add(sku, row);
                _skus[row] = sku;
            }

            vector.CopyTo(RowSpan(row));
            _scales[row] = Int8Dot.Quantize(vector, CodeSpan(row));
            _categories[row] = CategoryId(category);
            _inStock[row] = inStock;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Changes only the stock flag (no new vector needed). False when the product is not in the index.</summary>
    public bool SetInStock(string sku, bool inStock)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowOfSku.TryGetValue(sku, out var row))
            {
                return false;
            }

            _inStock[row] = inStock;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Removes the product; false when it was not in the index.</summary>
    public bool Remove(string sku)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowOfSku.Remove(sku, out var row))
            {
                return false;
            }

            // The last row moves into the hole, so the rows stay dense and a scan never meets a gap.
            var last = --_count;
            if (row != last)
            {
                RowSpan(last).CopyTo(RowSpan(row));
                CodeSpan(last).CopyTo(CodeSpan(row));
                _scales[row] = _scales[last];
                _skus[row] = _skus[last];
                _categories[row] = _categories[last];
                _inStock[row] = _inStock[last];
                _rowOfSku[_skus[row]] = row;
            }

            _skus[last] = null!;
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public bool Contains(string sku)
    {
        _lock.EnterReadLock();
        try
        {
            return _rowOfSku.ContainsKey(sku);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The <paramref name="k"/> products whose vectors have the highest dot product with <paramref name="query"/>, best first.</summary>
    public IReadOnlyList<ProductMatch> Search(ReadOnlySpan<float> query, int k, ProductFilter filter = default)
    {
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"Query has {query.Length} dimensions; this index holds {Dimensions}.", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, MaxK);
        var q = query.ToArray();
        var qCodes = new sbyte[Dimensions];
        _ = Int8Dot.Quantize(q, qCodes);
        var qWide = Int8Dot.Widen(qCodes);
        _lock.EnterReadLock();
        try
        {
            var category = -1;
            if (filter.Category is not null && !_categoryIds.TryGetValue(filter.Category, out category))
            {
                return [];
            }

            // First pass on 8-bit codes keeps a generous candidate list; the second scores those exactly.
            var candidates = Math.Max(4 * k, k + 32);
            var slices = Math.Clamp(_count / RowsPerSlice, 1, _maxDegreeOfParallelism);
            TopK approximate;
            if (slices == 1)
            {
                approximate = new TopK(candidates);
                Scan(qWide, 0, _count, category, filter.InStockOnly, approximate);
            }
            else
            {
                var partial = new TopK[slices];
                var rowsPerSlice = (_count + slices - 1) / slices;
                Parallel.For(0, slices, new ParallelOptions { MaxDegreeOfParallelism = slices }, s =>
                {
                    var from = s * rowsPerSlice;
                    partial[s] = new TopK(candidates);
                    Scan(qWide, from, Math.Min(_count, from + rowsPerSlice), category, filter.InStockOnly, partial[s]);
                });
                approximate = new TopK(candidates);
                foreach (var part in partial)
                {
                    part.AddTo(approximate);
                }
            }

            var best = new TopK(k);
            foreach (var (_, row) in approximate.Sorted())
            {
                best.Offer(TensorPrimitives.Dot(q, RowSpan(row)), row);
            }

            var sorted = best.Sorted();
            var result = new ProductMatch[sorted.Length];
            for (var i = 0; i < sorted.Length; i++)
            {
                result[i] = new ProductMatch(_skus[sorted[i].Row], sorted[i].Score, _categoryNames[_categories[sorted[i].Row]]);
            }

            return result;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>
    /// Calls <paramref name="visit"/> with every stored product (SKU, exact vector, category, stock flag), under the
    /// read lock: for taking a snapshot. The vector span is only valid during the call.
    /// </summary>
    public void ForEach(IndexEntryVisitor visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        _lock.EnterReadLock();
        try
        {
            for (var row = 0; row < _count; row++)
            {
                visit(_skus[row], RowSpan(row), _categoryNames[_categories[row]], _inStock[row]);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();

    private void Scan(short[] query, int from, int to, int category, bool inStockOnly, TopK best)
    {
        var dimensions = Dimensions;
        var filtered = category >= 0 || inStockOnly;
        var row = from;
        while (row < to)
        {
            var block = _codeBlocks[row / BlockRows];
            var offset = row % BlockRows;
            var end = Math.Min(to, row - offset + BlockRows);
            for (; row < end; row++, offset++)
            {
                if (filtered && ((category >= 0 && _categories[row] != category) || (inStockOnly && !_inStock[row])))
                {
                    continue;
                }

                // The query's own scale is the same for every row, so it can be left out of the ranking.
                var score = _scales[row] * Int8Dot.Dot(new ReadOnlySpan<sbyte>(block, offset * dimensions, dimensions), query);
                if (score > best.Threshold)
                {
                    best.Offer(score, row);
                }
            }
        }
    }

    private Span<sbyte> CodeSpan(int row) => _codeBlocks[row / BlockRows].AsSpan(row % BlockRows * Dimensions, Dimensions);

    private Span<float> RowSpan(int row) => _blocks[row / BlockRows].AsSpan(row % BlockRows * Dimensions, Dimensions);

    private void EnsureCapacity(int rows)
    {
        while (_blocks.Count * BlockRows < rows)
        {
            _blocks.Add(new float[BlockRows * Dimensions]);
            _codeBlocks.Add(new sbyte[BlockRows * Dimensions]);
        }

        if (_skus.Length < rows)
        {
            var size = Math.Max(rows, _skus.Length * 2);
            Array.Resize(ref _skus, size);
            Array.Resize(ref _categories, size);
            Array.Resize(ref _inStock, size);
            Array.Resize(ref _scales, size);
        }
    }

    private int CategoryId(string category)
    {
        if (!_categoryIds.TryGetValue(category, out var id))
        {
            id = _categoryIds.Count;
            _categoryIds.Add(category, id);
            _categoryNames.Add(category);
        }

        return id;
    }
}
