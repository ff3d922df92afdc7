using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Marketing.Abstractions.Search;
using Marketing.Ml.Embeddings;
using Marketing.Ml.Search;

namespace Marketing.Cli.Evaluation;

/// <summary>
/// The silo's search without a cluster: the catalogue split into <c>Search:Shards</c> shards by the same hash, each
/// with its vectors (<see cref="ProductVectorIndex"/>) and its BM25 index (<see cref="LexicalIndex"/>), merged and fused
/// as <c>ProductSearchGrain</c> does (<see cref="RankFusion"/>), over the texts the product grains would index
/// (<see cref="SearchTexts"/>). Vectors are kept in a cache file per model, so a second run skips the encoding.
/// </summary>
public sealed class CatalogueSearch : IDisposable
{
    private readonly ProductVectorIndex[] _vectors;
    private readonly LexicalIndex[] _words;

    private CatalogueSearch(ProductVectorIndex[] vectors, LexicalIndex[] words)
    {
        _vectors = vectors;
        _words = words;
    }

    public int Count => _words.Sum(w => w.Count);

    /// <summary>
    /// Builds the shards from <paramref name="products"/>, their vectors from <paramref name="cacheFolder"/> when a
    /// file of the same model and texts is there, else from <paramref name="encoder"/> (and then saved there).
    /// </summary>
    public static async Task<(CatalogueSearch Search, bool FromCache, TimeSpan EncodeTime)> BuildAsync(
        IReadOnlyList<Marketing.Abstractions.Products.Product> products, ITextEncoder encoder, int shards, string cacheFolder, Action<int> progress)
    {
        var texts = products.Select(SearchTexts.Embedding).ToArray();
        var cacheFile = Path.Combine(cacheFolder, CacheName(encoder.Model, texts));
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var fromCache = File.Exists(cacheFile) && new FileInfo(cacheFile).Length == (long)texts.Length * encoder.Dimensions * sizeof(float);
        float[] flat;
        if (fromCache)
        {
            flat = MemoryMarshal.Cast<byte, float>(await File.ReadAllBytesAsync(cacheFile)).ToArray();
        }
        else
        {
            flat = await EncodeAllAsync(encoder, texts, progress);
            Directory.CreateDirectory(cacheFolder);
            await File.WriteAllBytesAsync(cacheFile, MemoryMarshal.AsBytes(flat.AsSpan()).ToArray());
        }

        var encodeTime = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var vectors = Enumerable.Range(0, shards).Select(_ => new ProductVectorIndex(encoder.Dimensions, maxDegreeOfParallelism: 1)).ToArray();
        var words = Enumerable.Range(0, shards).Select(_ => new LexicalIndex()).ToArray();
        for (var i = 0; i < products.Count; i++)
        {
            var p = products[i];
            var shard = SearchShards.Of(p.Sku, shards);
            var category = Marketing.Abstractions.Products.ProductRules.CategoryKey(p.Category);
            vectors[shard].Upsert(p.Sku, flat.AsSpan(i * encoder.Dimensions, encoder.Dimensions), category, p.Stock > 0);
            words[shard].Upsert(p.Sku, SearchTexts.Lexical(p), category, p.Stock > 0);
        }

        return (new CatalogueSearch(vectors, words), fromCache, encodeTime);
    }

    /// <summary>The best <paramref name="k"/> SKUs for the query as <c>GET /search?mode=</c> ranks them.</summary>
    public IReadOnlyList<ProductMatch> Search(string query, float[] queryVector, SearchMode mode, int k)
    {
        var candidates = mode == SearchMode.Hybrid ? RankFusion.CandidatesFor(k) : k;
        var meaning = mode == SearchMode.Lexical ? [] : RankFusion.MergeShards(_vectors.Select(v => v.Search(queryVector, candidates)), candidates);
        var perShard = mode == SearchMode.Dense ? [] : _words.Select(w => w.Search(query, candidates)).ToList();
        var words = RankFusion.MergeShards(perShard.Select(hits => hits.Select(h => h.AsProductMatch())), candidates);
        var coverage = perShard.SelectMany(hits => hits).Select(h => h.Coverage).DefaultIfEmpty(0f).Max();
        return mode switch
        {
            SearchMode.Dense => meaning,
            SearchMode.Lexical => words,
            _ => RankFusion.Hybrid(words, coverage, meaning, k),
        };
    }

    public void Dispose()
    {
        foreach (var index in _vectors)
        {
            index.Dispose();
        }
    }

    private static async Task<float[]> EncodeAllAsync(ITextEncoder encoder, string[] texts, Action<int> progress)
    {
        // Similar lengths together, so a batch pads little; results go back to the catalogue's order.
        var order = Enumerable.Range(0, texts.Length).OrderBy(i => texts[i].Length).ToArray();
        var flat = new float[texts.Length * encoder.Dimensions];
        var done = 0;
        foreach (var chunk in order.Chunk(256))
        {
            var vectors = await encoder.EncodeBatchAsync([.. chunk.Select(i => texts[i])]);
            for (var j = 0; j < chunk.Length; j++)
            {
                vectors[j].CopyTo(flat, chunk[j] * encoder.Dimensions);
            }

            progress(done += chunk.Length);
        }

        return flat;
    }

    private static string CacheName(TextModelId model, string[] texts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var text in texts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        }

        var textsHash = Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
        var safe = string.Concat(model.ToString().Select(c => char.IsLetterOrDigit(c) || c is '-' or '.' ? c : '_'));
        return $"{safe}-{texts.Length}-{textsHash}.f32";
    }
}
