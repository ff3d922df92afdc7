namespace Marketing.Ml.Search;

/// <summary>
/// Okapi BM25 over product text (title, category, description), kept up to date by SKU like
/// <see cref="ProductVectorIndex"/>: the lexical half of hybrid search, for the exact words a meaning-only ranking
/// blurs (brands, "gluten free", SKUs). Words are lower-cased runs of letters and digits, with a plural "s" taken off
/// (<see cref="LexicalTerms"/>); a SKU is a term of its own product, so searching for it finds it. Statistics (document
/// frequencies, mean length) are this index's own, as in a search engine's shard: one shard's scores are comparable
/// with another's because products spread over shards evenly by hash. Not thread-safe: a shard grain calls it from one
/// turn at a time.
/// </summary>
public sealed class LexicalIndex
{
    /// <summary>How much a repeated word adds (the usual 1.2): the second "organic" counts far less than the first.</summary>
    public const float K1 = 1.2f;

    /// <summary>How much a long text's words are discounted against a short one's (the usual 0.75).</summary>
    public const float B = 0.75f;

    private readonly Dictionary<string, int> _rows = new(StringComparer.Ordinal);
    private readonly List<Entry?> _entries = [];
    private readonly Stack<int> _freeRows = new();
    private readonly Dictionary<string, Dictionary<int, int>> _postings = new(StringComparer.Ordinal);
    private long _totalTerms;

    public int Count => _rows.Count;

    public bool Contains(string sku) => _rows.ContainsKey(sku);

    /// <summary>Adds the product or replaces its text, category and stock flag.</summary>
    public void Upsert(string sku, string text, string category, bool inStock)
    {
        ArgumentNullException.ThrowIfNull(sku);
        ArgumentNullException.ThrowIfNull(text);
        Remove(sku);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        foreach (var term in LexicalTerms.Of(text).Append(LexicalTerms.Normalise(sku)))
        {
            counts[term] = counts.GetValueOrDefault(term) + 1;
            length++;
        }

        var row = _freeRows.Count > 0 ? _freeRows.Pop() : _entries.Count;
        var entry = new Entry(sku, text, category, inStock, length, [.. counts.Keys]);
        if (row == _entries.Count)
        {
            _entries.Add(entry);
        }
        else
        {
            _entries[row] = entry;
        }

        foreach (var (term, count) in counts)
        {
            if (!_postings.TryGetValue(term, out var posting))
            {
                _postings[term] = posting = [];
            }

            posting[row] = count;
        }

        _rows[sku] = row;
        _totalTerms += length;
    }

    public bool Remove(string sku)
    {
        if (!_rows.Remove(sku, out var row))
        {
            return false;
        }

        var entry = _entries[row]!;
        foreach (var term in entry.Terms)
        {
            var posting = _postings[term];
            posting.Remove(row);
            if (posting.Count == 0)
            {
                _postings.Remove(term);
            }
        }

        _totalTerms -= entry.Length;
        _entries[row] = null;
        _freeRows.Push(row);
        return true;
    }

    /// <summary>
    /// The <paramref name="k"/> best matches for <paramref name="query"/>, best first; none when no word matches. The
    /// score is BM25 times the match's <see cref="LexicalMatch.Coverage"/> (Lucene's classic "coord" factor), so a
    /// product holding every word of the query beats one that repeats a single word of it.
    /// </summary>
    public IReadOnlyList<LexicalMatch> Search(string query, int k, ProductFilter filter = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (_rows.Count == 0)
        {
            return [];
        }

        // A SKU typed as the query is an exact match, whatever else the words match.
        if (_postings.TryGetValue(LexicalTerms.Normalise(query), out var bySku))
        {
            var sku = _entries[bySku.Keys.First()]!;
            return Passes(sku, filter) ? [new LexicalMatch(sku.Sku, float.MaxValue, 1f, sku.Category)] : [];
        }

        var meanLength = (float)_totalTerms / _rows.Count;
        var terms = LexicalTerms.Of(query).Distinct(StringComparer.Ordinal).ToList();

        // A word no product holds weighs as much as the rarest word could: a query half made of unknown words is
        // only half answered by any product.
        var totalIdf = terms.Sum(t => Idf(_postings.TryGetValue(t, out var p) ? p.Count : 0));
        var scores = new Dictionary<int, (float Bm25, float Idf)>();
        foreach (var term in terms)
        {
            if (!_postings.TryGetValue(term, out var posting))
            {
                continue;
            }

            var idf = Idf(posting.Count);
            foreach (var (row, count) in posting)
            {
                var entry = _entries[row]!;
                if (!Passes(entry, filter))
                {
                    continue;
                }

                var tf = count * (K1 + 1) / (count + (K1 * (1 - B + (B * entry.Length / meanLength))));
                var sofar = scores.GetValueOrDefault(row);
                scores[row] = (sofar.Bm25 + (idf * tf), sofar.Idf + idf);
            }
        }

        var best = new TopK(Math.Min(k, Math.Max(1, scores.Count)));
        foreach (var (row, score) in scores)
        {
            best.Offer(score.Bm25 * score.Idf / totalIdf, row);
        }

        return [.. best.Sorted().Select(e => new LexicalMatch(_entries[e.Row]!.Sku, e.Score, scores[e.Row].Idf / totalIdf, _entries[e.Row]!.Category))];
    }

    /// <summary>Every product, for a snapshot: SKU, text, category and stock flag.</summary>
    public void ForEach(Action<string, string, string, bool> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        foreach (var entry in _entries)
        {
            if (entry is not null)
            {
                visit(entry.Sku, entry.Text, entry.Category, entry.InStock);
            }
        }
    }

    /// <summary>The Lucene form of the IDF, never negative: a word in most products still counts a little.</summary>
    private float Idf(int documentFrequency) => MathF.Log(1 + ((_rows.Count - documentFrequency + 0.5f) / (documentFrequency + 0.5f)));

    private static bool Passes(Entry entry, ProductFilter filter) =>
        (filter.Category is null || string.Equals(entry.Category, filter.Category, StringComparison.Ordinal)) && (!filter.InStockOnly || entry.InStock);

    private sealed record Entry(string Sku, string Text, string Category, bool InStock, int Length, string[] Terms);
}

/// <summary>
/// A product found by its words: the score (BM25 times coverage) and the coverage, the share of the query's word weight
/// (IDF) the product holds: 1 when it holds every word, or the query was its SKU; and its category key.
/// </summary>
public readonly record struct LexicalMatch(string Sku, float Score, float Coverage, string Category)
{
    public ProductMatch AsProductMatch() => new(Sku, Score, Category);
}
