using System.Globalization;

namespace Marketing.Cli.Benchmarks;

/// <summary>
/// What one silo's <c>/metrics</c> (Prometheus text) says at a moment: its garbage collections and the event log's
/// group commits. Two of them, before and after a run, tell what the silo went through while the run was measured.
/// </summary>
public sealed record SiloMetrics(double GcPauseSeconds, long GcCollections, long LogBlocks, long LogAppends, double LogAppendWaitMilliseconds)
{
    /// <summary>Reads the silo's metrics, or null (with the reason) when it does not answer.</summary>
    public static async Task<(SiloMetrics? Metrics, string? Problem)> ReadAsync(HttpClient http, Uri silo, CancellationToken cancellationToken)
    {
        var url = new Uri(silo, "/metrics");
        try
        {
            return (Parse(await http.GetStringAsync(url, cancellationToken)), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"{url} did not answer ({e.Message})");
        }
    }

    /// <summary>Sums each series over its labels (the collections are counted per generation).</summary>
    public static SiloMetrics Parse(string prometheusText)
    {
        ArgumentNullException.ThrowIfNull(prometheusText);
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in prometheusText.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var nameEnd = line.IndexOfAny(['{', ' ']);
            var valueStart = line.LastIndexOf(' ');
            if (nameEnd <= 0 || valueStart < nameEnd
                || !double.TryParse(line.AsSpan(valueStart + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = line[..nameEnd];
            sums[name] = sums.GetValueOrDefault(name) + value;
        }

        return new SiloMetrics(
            sums.GetValueOrDefault("dotnet_gc_pause_time_seconds_total"),
            (long)sums.GetValueOrDefault("dotnet_gc_collections_total"),
            (long)sums.GetValueOrDefault("marketing_eventlog_block_appends_count"),
            (long)sums.GetValueOrDefault("marketing_eventlog_append_duration_milliseconds_count"),
            sums.GetValueOrDefault("marketing_eventlog_append_duration_milliseconds_sum"));
    }

    /// <summary>A sentence on what happened between <paramref name="before"/> and this reading.</summary>
    public string DescribeSince(SiloMetrics before)
    {
        ArgumentNullException.ThrowIfNull(before);
        var collections = GcCollections - before.GcCollections;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{collections:N0} garbage collection(s), {GcPauseSeconds - before.GcPauseSeconds:0.000} s paused in all");
        var appends = LogAppends - before.LogAppends;
        if (appends > 0)
        {
            var blocks = LogBlocks - before.LogBlocks;
            text += string.Create(CultureInfo.InvariantCulture,
                $"; the event log stored {blocks:N0} block(s) for {appends:N0} append(s), and an append waited {(LogAppendWaitMilliseconds - before.LogAppendWaitMilliseconds) / appends:0.0} ms on average for its block");
        }

        return text;
    }
}
