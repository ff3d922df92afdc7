namespace Marketing.Abstractions;

/// <summary>Names of storage providers, shared by grains (which ask for them) and the silo (which registers them).</summary>
public static class StorageNames
{
    /// <summary>Grain state: Azure Blob storage in production, memory in tests and benchmarks.</summary>
    public const string GrainState = "grain-state";

    /// <summary>
    /// The catalogue's grain state (products, the search index, category directories): tens of thousands of blobs, so
    /// it can have an account of its own, away from shoppers and campaigns. The same account as <see cref="GrainState"/> unless configured.
    /// </summary>
    public const string CatalogueState = "catalogue-state";
}
