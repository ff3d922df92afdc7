namespace Marketing.Ml.Search;

/// <summary>
/// The keyword baseline the embedding search is measured against: TF-IDF vectors of product names (lower-cased
/// letter-and-digit words, smoothed IDF, unit length) ranked by cosine similarity through an inverted index. Immutable
/// once built, so it is safe to share between threads.
/// </summary>
public sealed class BagOfWordsSearcher
{
    private readonly string[] _skus;
    private readonly Dictionary<string, int> _termIds;
    private readonly float[] _idf;
    private readonly (int Doc, float Weight)[][] _postings;

    public BagOfWordsSearcher(IEnumerable<(string Sku, string Text)> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var skus = new List<string>();
        var documents = new List<Dictionary<int, int>>();
        _termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var documentFrequency = new List<int>();
        foreach (var (sku, text) in products)
        {
            var counts = new Dictionary<int, int>();
            foreach (var word in Words(text))
            {
                if (!_termIds.TryGetValue(word, out var term))
                {
                    term = _termIds.Count;
                    _termIds.Add(word, term);
                    documentFrequency.Add(0);
                }

                if (!counts.TryAdd(term, 1))
                {
                    counts[term]++;
                }
            }

            foreach (var term in counts.Keys)
            {
                documentFrequency[term]++;
            }

            skus.Add(sku);
            documents.Add(counts);
        }

        _skus = [.. skus];
        var n = _skus.Length;
        _idf = [.. documentFrequency.Select(df => MathF.Log((1f + n) / (1f + df)) + 1f)];
        var postings = new List<(int Doc, float Weight)>[_idf.Length];
        for (var d = 0; d < documents.Count; d++)
        {
            var norm = MathF.Sqrt(documents[d].Sum(t => Square(t.Value * _idf[t.Key])));
            foreach (var (term, count) in documents[d])
            {
                (postings[term] ??= []).Add((d, count * _idf[term] / norm));
            }
        }

        _postings = [.. postings.Select(p => p?.ToArray() ?? [])];
    }

    public int Count => _skus.Length;

    /// <summary>The <paramref name="k"/> products whose names share the most (rare) words with the query, best first.</summary>
    public IReadOnlyList<ProductMatch> Search(string query, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var queryTerms = new Dictionary<int, int>();
        foreach (var word in Words(query))
        {
            if (_termIds.TryGetValue(word, out var term) && !queryTerms.TryAdd(term, 1))
            {
                queryTerms[term]++;
            }
        }

        if (queryTerms.Count == 0)
        {
            return [];
        }

        var norm = MathF.Sqrt(queryTerms.Sum(t => Square(t.Value * _idf[t.Key])));
        var scores = new float[_skus.Length];
        var touched = new List<int>();
        foreach (var (term, count) in queryTerms)
        {
            var weight = count * _idf[term] / norm;
            foreach (var (doc, docWeight) in _postings[term])
            {
                if (scores[doc] == 0)
                {
                    touched.Add(doc);
                }

                scores[doc] += weight * docWeight;
            }
        }

        var best = new TopK(Math.Min(k, touched.Count));
        foreach (var doc in touched)
        {
            best.Offer(scores[doc], doc);
        }

        return [.. best.Sorted().Select(e => new ProductMatch(_skus[e.Row], e.Score))];
    }

    internal static IEnumerable<string> Words(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }

    private static float Square(float x) => x * x;
}
