namespace Marketing.IntegrationTests.Hosting;

/// <summary>Where the tests find the repository's scripts and the build outputs they start as processes.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder holding Silo.sln, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: the configuration this test assembly was built in, so the silo matches it.</summary>
    public static string Configuration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    public static string AzuriteFolder => Path.Combine(Root, "infra", "azurite");

    public static string KubernetesFolder => Path.Combine(Root, "infra", "k8s");

    public static string SiloFolder => Path.Combine(Root, "src", "Marketing.Silo", "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Silo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Silo.sln above {AppContext.BaseDirectory}.");
    }
}
