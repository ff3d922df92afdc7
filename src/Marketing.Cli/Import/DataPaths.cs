namespace Marketing.Cli.Import;

/// <summary>
/// Where the shared datasets live: <c>--data</c>, else <c>$MARKETING_DATA</c>, else <c>../shared/data</c> next to
/// the repository root (the folder holding Silo.sln). Data is read in place, never copied into the repository.
/// </summary>
public static class DataPaths
{
    public const string EnvironmentVariable = "MARKETING_DATA";

    public static string Resolve(string? option) => Resolve(option, Environment.GetEnvironmentVariable(EnvironmentVariable), [Environment.CurrentDirectory, AppContext.BaseDirectory]);

    public static string Resolve(string? option, string? environment, IEnumerable<string> searchFrom)
    {
        if (!string.IsNullOrWhiteSpace(option))
        {
            return Path.GetFullPath(option);
        }

        if (!string.IsNullOrWhiteSpace(environment))
        {
            return Path.GetFullPath(environment);
        }

        foreach (var start in searchFrom)
        {
            var root = FindRepositoryRoot(start);
            if (root is not null)
            {
                return Path.GetFullPath(Path.Combine(root, "..", "shared", "data"));
            }
        }

        return Path.GetFullPath(Path.Combine("..", "shared", "data"));
    }

    public static string? FindRepositoryRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Silo.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>The path of a dataset file, or a clear error naming the folder and how to point elsewhere.</summary>
    public static string RequireFile(string dataDir, string relative)
    {
        var path = Path.Combine(dataDir, relative);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"dataset file not found: {path} (set --data or ${EnvironmentVariable} to the shared data folder)", path);
        }

        return path;
    }
}
