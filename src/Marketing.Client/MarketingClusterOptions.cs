using System.ComponentModel.DataAnnotations;

namespace Marketing.Client;

/// <summary>Where the cluster's membership lives. Shared by the silo and every client (section <c>Cluster</c>).</summary>
public sealed class MarketingClusterOptions
{
    public const string SectionName = "Cluster";

    [Required]
    public string ClusterId { get; set; } = "marketing";

    [Required]
    public string ServiceId { get; set; } = "marketing";

    /// <summary>
    /// <c>AzureStorage</c>: Azure Table clustering (Azurite locally), any number of silos. <c>Memory</c>: one silo
    /// on localhost with nothing persisted, for benchmarks and quick experiments.
    /// </summary>
    [Required]
    [RegularExpression("^(AzureStorage|Memory)$", ErrorMessage = "Cluster:Provider must be AzureStorage or Memory.")]
    public string Provider { get; set; } = "AzureStorage";

    /// <summary>Azure Storage connection string; the default is Azurite's well-known development account.</summary>
    [Required]
    public string StorageConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// Silos only: the storage account for the catalogue's grain state (products, their search index and category
    /// directories), when it should not be the cluster's own; empty means <see cref="StorageConnectionString"/>.
    /// </summary>
    public string? CatalogueStorageConnectionString { get; set; }

    /// <summary>With the Memory provider: the silo's gateway port on 127.0.0.1.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    public bool UsesAzureStorage => Provider == "AzureStorage";
}
