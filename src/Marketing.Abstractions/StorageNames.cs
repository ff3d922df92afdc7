namespace Marketing.Abstractions;

/// <summary>Names of storage providers, shared by grains (which ask for them) and the silo (which registers them).</summary>
public static class StorageNames
{
    /// <summary>Grain state: Azure Blob storage in production, memory in tests and benchmarks.</summary>
    public const string GrainState = "grain-state";
}
