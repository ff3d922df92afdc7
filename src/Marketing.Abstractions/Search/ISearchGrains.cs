using System.Collections.Immutable;

namespace Marketing.Abstractions.Search;

/// <summary>
/// The silo's text encoder as a grain: any grain or client turns text into a unit-length embedding through it.
/// A stateless worker, so every silo serves its own calls with its own encoder, which batches concurrent texts.
/// </summary>
[Alias("mk.IEmbeddingGrain")]
public interface IEmbeddingGrain : IGrainWithIntegerKey
{
    /// <summary>The embedding of <paramref name="text"/> (cut at the model's token limit), with the model that made it.</summary>
    [Alias("Embed")]
    Task<Embedding> Embed(string text);

    /// <summary>
    /// The embedding of a shopper's search query. Queries repeat (a shop's popular searches are few), so the silo keeps
    /// recent ones in a bounded cache and most calls cost no inference.
    /// </summary>
    [Alias("EmbedQuery")]
    Task<Embedding> EmbedQuery(string query);

    /// <summary>What the encoder runs on, which model it runs, and how long its queue is.</summary>
    [Alias("Describe")]
    Task<EncoderInfo> Describe();
}

/// <summary>
/// The silo's encoder: its execution provider, vector length, queue, model, and the arithmetic its weights run in
/// (<c>Int8</c> or <c>Float32</c>) with why (the setting, or what <c>Encoder:Precision=Auto</c> saw in the processor).
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.EncoderInfo")]
public sealed record EncoderInfo(
    [property: Id(0)] string Provider,
    [property: Id(1)] int Dimensions,
    [property: Id(2)] int QueueLength,
    [property: Id(3)] EmbeddingModelId Model,
    [property: Id(4)] string? Precision = null,
    [property: Id(5)] string? PrecisionReason = null);

/// <summary>
/// Search over the whole catalogue: embeds the query and takes its words, asks every index shard, merges and fuses their best.
/// A stateless worker, so searches run on whichever silo receives them.
/// </summary>
[Alias("mk.IProductSearchGrain")]
public interface IProductSearchGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// The products that answer <paramref name="query"/>: by meaning and exact words fused (the default), or by one
    /// of them (<see cref="SearchRequest.Mode"/>). A hit's score is the fused score, the cosine or the BM25 score.
    /// </summary>
    [Alias("Search")]
    Task<SearchResults> Search(SearchRequest query);

    /// <summary>The products closest to <paramref name="sku"/>'s own embedding (the product itself left out); null when it has none.</summary>
    [Alias("Similar")]
    Task<SearchResults?> Similar(string sku, int k, string? category, bool inStockOnly);

    /// <summary>The products closest to a given unit vector (a shopper's interest, say), among those its model made.</summary>
    [Alias("Nearest")]
    Task<SearchResults> Nearest(VectorQuery query);

    /// <summary>How many products all shards hold together.</summary>
    [Alias("IndexedCount")]
    Task<int> IndexedCount();

    /// <summary>
    /// How many products all shards hold per model that made their vectors, most first. Products of a model other
    /// than the encoder's are left out of searches until <c>POST /search/reindex</c> makes their vectors again.
    /// </summary>
    [Alias("IndexedByModel")]
    Task<ImmutableArray<IndexedByModel>> IndexedByModel();

    /// <summary>How many shards are repairing themselves after a crash.</summary>
    [Alias("RepairingShards")]
    Task<int> RepairingShards();
}

[GenerateSerializer, Immutable, Alias("mk.IndexedProduct")]
public sealed record IndexedProduct(
    [property: Id(0)] string Sku,
    [property: Id(1)] float[] Vector,
    [property: Id(2)] string CategoryKey,
    [property: Id(3)] bool InStock,
    [property: Id(4)] EmbeddingModelId Model,
    [property: Id(5)] string? Text = null);

/// <summary>A search by words, scored by BM25 over each product's <see cref="SearchTexts.Lexical"/> text.</summary>
[GenerateSerializer, Immutable, Alias("mk.TextQuery")]
public sealed record TextQuery(
    [property: Id(0)] string Query,
    [property: Id(1)] int K,
    [property: Id(2)] string? CategoryKey,
    [property: Id(3)] bool InStockOnly);

/// <summary>A search by vector; only products whose vectors <see cref="Model"/> made are scored against it.</summary>
[GenerateSerializer, Immutable, Alias("mk.VectorQuery")]
public sealed record VectorQuery(
    [property: Id(0)] float[] Vector,
    [property: Id(1)] int K,
    [property: Id(2)] string? CategoryKey,
    [property: Id(3)] bool InStockOnly,
    [property: Id(4)] string? ExcludeSku,
    [property: Id(5)] EmbeddingModelId Model);

/// <summary>
/// A shard's match: its score, and for a match by words the share of the query's word weight the product holds
/// (1 for a match by vector).
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.ScoredSku")]
public sealed record ScoredSku(
    [property: Id(0)] string Sku,
    [property: Id(1)] float Score,
    [property: Id(2)] float Coverage = 1f,
    [property: Id(3)] string? CategoryKey = null);

[GenerateSerializer, Immutable, Alias("mk.SearchRequest")]
public sealed record SearchRequest(
    [property: Id(0)] string Query,
    [property: Id(1)] int K,
    [property: Id(2)] string? Category,
    [property: Id(3)] bool InStockOnly,
    [property: Id(4)] SearchMode Mode = SearchMode.Hybrid);

/// <summary>How <c>GET /search</c> ranks: by meaning, by exact words, or both fused (the default).</summary>
public enum SearchMode
{
    /// <summary>The dense ranking and the lexical one fused by reciprocal rank.</summary>
    Hybrid,

    /// <summary>Cosine between the query's embedding and the products' only.</summary>
    Dense,

    /// <summary>BM25 over title, category and description only (no inference).</summary>
    Lexical,
}

/// <summary>A found product with its record (as far as it still exists) and its similarity to the query.</summary>
[GenerateSerializer, Immutable, Alias("mk.SearchHit")]
public sealed record SearchHit(
    [property: Id(0)] string Sku,
    [property: Id(1)] float Score,
    [property: Id(2)] string Title,
    [property: Id(3)] string Category,
    [property: Id(4)] decimal Price,
    [property: Id(5)] int Stock);

[GenerateSerializer, Immutable, Alias("mk.SearchResults")]
public sealed record SearchResults(
    [property: Id(0)] ImmutableArray<SearchHit> Hits,
    [property: Id(1)] int Shards,
    [property: Id(2)] double EmbedMilliseconds,
    [property: Id(3)] double SearchMilliseconds);

/// <summary>The rules a search must meet; shared by the gateway (which answers 400) and the search grain.</summary>
public static class SearchRules
{
    public const int MaxQueryLength = 1_000;

    public static void ValidateQuery(string? query, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            errors.Add(new("q", "is required: the words to search for"));
        }
        else if (query.Length > MaxQueryLength)
        {
            errors.Add(new("q", $"must be at most {MaxQueryLength} characters"));
        }
    }

    /// <summary>How many results; null (the caller's default) passes.</summary>
    public static void ValidateK(int? k, List<FieldError> errors)
    {
        if (k is < 1 or > SearchShards.MaxK)
        {
            errors.Add(new("k", $"must be between 1 and {SearchShards.MaxK}"));
        }
    }

    /// <summary>The mode as a query parameter (<c>hybrid</c>, <c>dense</c>, <c>lexical</c>; any case); null (the default) passes.</summary>
    public static SearchMode ParseMode(string? mode, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (mode is null)
        {
            return SearchMode.Hybrid;
        }

        if (!int.TryParse(mode, out _) && Enum.TryParse<SearchMode>(mode, ignoreCase: true, out var parsed))
        {
            return parsed;
        }

        errors.Add(new("mode", "must be hybrid, dense or lexical"));
        return SearchMode.Hybrid;
    }

    /// <summary>A mode sent by an Orleans client must be one of the three.</summary>
    public static void ValidateMode(SearchMode mode, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!Enum.IsDefined(mode))
        {
            errors.Add(new("mode", "must be hybrid, dense or lexical"));
        }
    }

    /// <summary>Throws <see cref="InvalidInputException"/> naming every bad field.</summary>
    public static void ThrowIfInvalid(List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw new InvalidInputException(errors);
        }
    }
}

/// <summary>How SKUs map to index shards; the same on every silo because the hash is fixed (not <c>string.GetHashCode</c>).</summary>
public static class SearchShards
{
    public const int MaxK = 100;

    /// <summary>The shard that holds <paramref name="sku"/> among <paramref name="shards"/>.</summary>
    public static int Of(string sku, int shards)
    {
        // FNV-1a over the UTF-16 code units: stable across processes and runtimes.
        var hash = 2166136261u;
        foreach (var c in sku)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)shards);
    }
}

/// <summary>
/// The silo's text encoder refused work because its queue is full: retry after a short wait. Thrown by grains in
/// place of the encoder's own exception, so clients without the ML assembly can recognise it.
/// </summary>
[GenerateSerializer, Alias("mk.EncoderBusyException")]
public sealed class EncoderBusyException : Exception
{
    public EncoderBusyException(string message)
        : base(message)
    {
    }
}
