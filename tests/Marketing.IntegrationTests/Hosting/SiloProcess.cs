namespace Marketing.IntegrationTests.Hosting;

/// <summary>
/// One silo as operators run it: the built Marketing.Silo.dll in its own process, configured only by environment
/// variables. Its ports are chosen once, so a restart comes back as a newer generation of the same silo.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly IReadOnlyDictionary<string, string> _clusterSettings;
    private ChildProcess? _process;

    public SiloProcess(string name, IReadOnlyDictionary<string, string> clusterSettings)
    {
        Name = name;
        _clusterSettings = clusterSettings;
        var ports = FreePorts.Take(3);
        (SiloPort, GatewayPort, HttpPort) = (ports[0], ports[1], ports[2]);
    }

    public string Name { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public Uri BaseAddress => new(Url);

    private string Url => $"http://127.0.0.1:{HttpPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the process and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var dll = Path.Combine(RepositoryPaths.SiloFolder, "Marketing.Silo.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution in {RepositoryPaths.Configuration} first.");
        }

        _process?.Dispose();
        // --urls as well as ASPNETCORE_URLS: the silo's appsettings.json sets Urls, which outranks the environment variable.
        _process = ChildProcess.Start("dotnet", [dll, "--urls", Url], RepositoryPaths.SiloFolder, Environment());
        await WaitReadyAsync();
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200; fails with the silo's last output if it dies or times out.</summary>
    public async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        var ready = new Uri(BaseAddress, "/health/ready");
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited before it was ready:{System.Environment.NewLine}{_process?.Tail}");
            }

            try
            {
                using var response = await Http.GetAsync(ready);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "timed out";
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"{Name} was not ready within {ReadyTimeout.TotalSeconds}s (last: {last}):{System.Environment.NewLine}{Tail}");
    }

    /// <summary>SIGKILL: no shutdown code runs, as when a machine or container dies.</summary>
    public void Kill() => _process?.Kill();

    /// <summary>SIGTERM: the silo leaves the cluster and hands its grains over before it exits.</summary>
    public Task StopAsync() => _process?.TerminateAsync(TimeSpan.FromSeconds(60)) ?? Task.CompletedTask;

    /// <summary>The silo's last output lines, for assertion messages.</summary>
    public string Tail => _process?.Tail ?? "";

    public void Dispose() => _process?.Dispose();

    private Dictionary<string, string?> Environment()
    {
        // Settings of the machine running the tests (an operator's Cluster__* exports) must not leak into the silo.
        var env = System.Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("Cluster__", StringComparison.Ordinal) || k.StartsWith("Silo__", StringComparison.Ordinal)
                || k.StartsWith("EventLog__", StringComparison.Ordinal) || k.StartsWith("Privacy__", StringComparison.Ordinal)
                || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal))
            .ToDictionary(k => k, string? (_) => null);
        foreach (var (key, value) in _clusterSettings)
        {
            env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        env["Silo__Name"] = Name;
        env["Silo__SiloPort"] = $"{SiloPort}";
        env["Silo__GatewayPort"] = $"{GatewayPort}";
        env["Silo__AdvertisedIp"] = "127.0.0.1";
        env["ASPNETCORE_URLS"] = Url;
        return env;
    }
}
