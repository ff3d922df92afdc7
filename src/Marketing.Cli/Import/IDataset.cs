namespace Marketing.Cli.Import;

/// <summary>A dataset under the shared data folder that maps to products and shopper events.</summary>
public interface IDataset
{
    string Name { get; }

    /// <summary>Reads, maps and validates; <paramref name="limit"/> caps the rows read from each file.</summary>
    ImportPlan Read(string dataDir, int? limit, DateTimeOffset now);
}

public static class Datasets
{
    public static IReadOnlyList<IDataset> All { get; } = [new InstacartDataset(), new BeautyDataset(), new MovieLensDataset()];

    public static IDataset? Find(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
}
