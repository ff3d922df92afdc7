using System.Collections.Concurrent;
using System.Diagnostics;

namespace Marketing.IntegrationTests.Hosting;

/// <summary>
/// A process the tests started, with the tail of its output kept for failure messages. Killing it sends SIGKILL
/// on Linux, the same as a crash or an out-of-memory kill: nothing in the process gets to run.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int TailLines = 200;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();
    private static readonly string? FullOutputFolder = Environment.GetEnvironmentVariable("MARKETING_TEST_OUTPUT") is { Length: > 0 } folder
        ? Directory.CreateDirectory(folder).FullName
        : null;

    private ChildProcess(Process process)
    {
        _process = process;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process wrote, for assertion messages.</summary>
    public string Tail => string.Join(Environment.NewLine, _tail);

    /// <summary>Starts <paramref name="fileName"/> with this process's environment changed by <paramref name="environment"/> (null removes).</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>SIGKILL, then wait until the kernel has reaped it (its ports are free again).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the host shuts down gracefully. Falls back to SIGKILL after <paramref name="grace"/>.</summary>
    public async Task TerminateAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _tail.Enqueue(line);
        if (FullOutputFolder is { } folder)
        {
            // Every line, for reading a failure beyond the tail: MARKETING_TEST_OUTPUT=<folder>, one file per process.
            lock (_tail)
            {
                File.AppendAllText(Path.Combine(folder, $"{_process.Id}.log"), line + System.Environment.NewLine);
            }
        }
        while (_tail.Count > TailLines && _tail.TryDequeue(out _))
        {
        }
    }
}
