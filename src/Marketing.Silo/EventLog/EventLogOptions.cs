using System.ComponentModel.DataAnnotations;

namespace Marketing.Silo.EventLog;

/// <summary>Section <c>EventLog</c>: the durable log in Azure append blobs.</summary>
public sealed class EventLogOptions
{
    public const string SectionName = "EventLog";

    [Required]
    [RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$", ErrorMessage = "EventLog:Container must be a valid blob container name.")]
    public string Container { get; set; } = "event-log";

    /// <summary>
    /// The storage account of the log, when it is not the cluster's (<c>Cluster:StorageConnectionString</c>, the
    /// default). Acknowledgements wait only on the log's appends, so an account of its own keeps grain-state writes
    /// and the log from queueing behind each other.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Largest block one group commit appends (Azure's append-block limit is 4 MiB).</summary>
    [Range(64 * 1024, 4 * 1024 * 1024, ErrorMessage = "EventLog:MaxBlockBytes must be between 64 KiB and 4 MiB.")]
    public int MaxBlockBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Blocks per segment before rolling to a new blob (Azure allows 50,000 per append blob).</summary>
    [Range(10, 50_000, ErrorMessage = "EventLog:MaxBlocksPerSegment must be between 10 and 50000.")]
    public int MaxBlocksPerSegment { get; set; } = 5_000;

    /// <summary>
    /// Whether a segment, once rolled over, is copied into one block blob under <c>{incarnation}/sealed/</c> and its
    /// append blob deleted. Azurite keeps every appended block in its metadata database, which it writes out whole
    /// every few seconds, so an unsealed log slows every request to its account more the longer it runs (the local
    /// scripts turn this on). Azure Storage has no such cost, and sealing would only read and write the log twice.
    /// </summary>
    public bool SealClosedSegments { get; set; }

    /// <summary>How much of a segment sealing reads and stores at a time (one staged block each, one pooled buffer).</summary>
    [Range(1024, 100 * 1024 * 1024, ErrorMessage = "EventLog:SealChunkBytes must be between 1 KiB and 100 MiB.")]
    public int SealChunkBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bytes per segment before rolling, so readers can take a segment in one piece.</summary>
    [Range(1024 * 1024, 1024L * 1024 * 1024, ErrorMessage = "EventLog:MaxSegmentBytes must be between 1 MiB and 1 GiB.")]
    public long MaxSegmentBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How often this silo records how far grain state has caught up with its log.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "EventLog:CheckpointInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);
}
