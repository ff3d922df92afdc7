using System.ComponentModel.DataAnnotations;

namespace Marketing.Grains.Search;

/// <summary>Section <c>Search</c>: how the product vector index is laid out and kept.</summary>
public sealed class SearchOptions
{
    public const string SectionName = "Search";

    /// <summary>
    /// Index shards across the cluster (each one a grain holding its share of the vectors). Every silo must use the
    /// same number; changing it needs <c>POST /search/reindex</c>.
    /// </summary>
    [Range(1, 256, ErrorMessage = "Search:Shards must be between 1 and 256.")]
    public int Shards { get; set; } = 8;

    /// <summary>
    /// How long a shard's changes may wait before its snapshot is written. A snapshot is the whole shard (about 1.5 KB
    /// a product), so during a bulk import a short interval rewrites megabytes over and over; products stay the source
    /// of truth, and a shard that comes back from a crash takes from them what its snapshot lacks.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Search:SnapshotInterval must be between 100 ms and 1 hour.")]
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long a shard's changes must have stopped before its snapshot is written without waiting out
    /// <see cref="SnapshotInterval"/>: a bulk import's last changes are in a snapshot seconds after it ends, so a crash
    /// soon after does not send the shard through the catalogue to repair itself.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Search:SnapshotQuietPeriod must be between 100 ms and 1 hour.")]
    public TimeSpan SnapshotQuietPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a product waits before trying again when the encoder could not embed its text.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Search:EmbeddingRetryDelay must be between 100 ms and 1 hour.")]
    public TimeSpan EmbeddingRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Search queries whose embeddings each silo keeps (shoppers' searches repeat; each entry is about 1.6 KB).</summary>
    [Range(0, 10_000_000, ErrorMessage = "Search:QueryCacheEntries must be between 0 and 10000000.")]
    public int QueryCacheEntries { get; set; } = 20_000;
}
