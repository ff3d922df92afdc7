using System.Diagnostics;

namespace Marketing.IntegrationTests.Hosting;

/// <summary>
/// A real Azurite from infra/azurite (the pinned npm package), on free ports with a throw-away data folder, shared
/// by every test in <see cref="AzuriteCollection"/>, and beside it a blob-only one for the event log, as
/// infra/azurite/start.sh runs them. Installs the package with npm ci when it is missing.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private const string Account = "devstoreaccount1";

    // The well-known key of the storage emulators' development account.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private ChildProcess? _azurite;
    private ChildProcess? _logAzurite;
    private DirectoryInfo? _data;

    public string ConnectionString { get; private set; } = "";

    /// <summary>The event log's own account (blob only).</summary>
    public string LogConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var binary = Path.Combine(RepositoryPaths.AzuriteFolder, "node_modules", ".bin", "azurite");
        if (!File.Exists(binary))
        {
            await InstallAsync();
        }

        var ports = FreePorts.Take(4);
        _data = Directory.CreateTempSubdirectory("marketing-azurite-");
        string[] flags = ["--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry"];
        _azurite = ChildProcess.Start(
            binary,
            [
                "--blobHost", "127.0.0.1", "--blobPort", $"{ports[0]}",
                "--queueHost", "127.0.0.1", "--queuePort", $"{ports[1]}",
                "--tableHost", "127.0.0.1", "--tablePort", $"{ports[2]}",
                "--location", _data.FullName, .. flags,
            ],
            RepositoryPaths.AzuriteFolder,
            new Dictionary<string, string?>());
        _logAzurite = ChildProcess.Start(
            binary + "-blob",
            ["--blobHost", "127.0.0.1", "--blobPort", $"{ports[3]}", "--location", _data.CreateSubdirectory("event-log").FullName, .. flags],
            RepositoryPaths.AzuriteFolder,
            new Dictionary<string, string?>());

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!ports.All(FreePorts.IsOpen))
        {
            if (_azurite.HasExited || _logAzurite.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"Azurite did not open ports {string.Join(", ", ports)}:{Environment.NewLine}{_azurite.Tail}{Environment.NewLine}{_logAzurite.Tail}");
            }

            await Task.Delay(100);
        }

        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[0]}/{Account};" +
            $"QueueEndpoint=http://127.0.0.1:{ports[1]}/{Account};" +
            $"TableEndpoint=http://127.0.0.1:{ports[2]}/{Account};";
        LogConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={Account};AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{ports[3]}/{Account};";
    }

    public Task DisposeAsync()
    {
        _azurite?.Dispose();
        _logAzurite?.Dispose();
        _data?.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private static async Task InstallAsync()
    {
        var info = new ProcessStartInfo("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        {
            WorkingDirectory = RepositoryPaths.AzuriteFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(info) ?? throw new InvalidOperationException("could not start npm");
        var output = npm.StandardOutput.ReadToEndAsync();
        var errors = npm.StandardError.ReadToEndAsync();
        await npm.WaitForExitAsync();
        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in infra/azurite failed ({npm.ExitCode}):{Environment.NewLine}{await output}{await errors}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
