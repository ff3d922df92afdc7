using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench search [--gateway URL] [--key KEY] [--requests 2000] [--concurrency 1,8,32] [--k 10] [--data DIR]</c>:
/// end-to-end <c>GET /search</c> through the gateway after an import: latency percentiles and throughput at each
/// concurrency (closed loop: each worker sends its next query when the last one returns), and precision@10 of the
/// Instacart aisle names as queries (share of the top ten in that aisle).
/// </summary>
public static class BenchSearchCommand
{
    public const string Usage = "bench search [--gateway URL] [--key KEY] [--requests 2000] [--concurrency 1,8,32] [--k 10] [--data DIR]\n" +
        "       bench search --queries [FILE] [--through process|gateway] [--model minilm|arcticxs] [--precision auto|int8|float32] [--shards 8] [--vector-cache DIR] [--per-query] [--k 10] [--data DIR] [--gateway URL] [--key KEY]";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        if (options.String("queries") is { } queries)
        {
            return await BenchSearchQuality.RunAsync(args, options, queries);
        }

        var gateway = new Uri(options.String("gateway", "http://127.0.0.1:8080/"), UriKind.Absolute);
        var key = options.String("key") ?? Environment.GetEnvironmentVariable("MARKETING_API_KEY") ?? "dev-storefront-key";
        var requests = options.Int("requests", 2_000, 1, 1_000_000);
        var k = options.Int("k", 10, 1, 100);
        var levels = ParseLevels(options.String("concurrency", "1,8,32"));
        var dataDir = DataPaths.Resolve(options.String("data"));
        options.EnsureAllUsed();
        options.EnsureNoPositionals();

        HttpIntakeTarget.RequireLoopback(gateway, "--gateway");

        var (_, aisles, _) = LoadEventFactory.LoadCatalogue(dataDir);
        if (aisles.Count == 0)
        {
            throw new UsageException($"no Instacart aisles under {dataDir}: the queries are the aisle names");
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = levels.Max(), UseCookies = false })
        {
            BaseAddress = gateway,
            Timeout = RequestTimeout,
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var cancellation = ConsoleCancellation.Token;

        JsonElement status;
        try
        {
            status = await http.GetFromJsonAsync<JsonElement>("/search/status", cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"cannot reach the gateway's /search/status at {gateway}: is the stack running (infra/run.sh)? ({e.Message})");
            return 1;
        }

        var indexed = status.GetProperty("indexedProducts").GetInt32();
        var provider = status.GetProperty("encoder").GetProperty("provider").GetString();

        // Precision first, one query at a time; it also warms every shard and the encoder.
        var precision = new List<double>();
        foreach (var aisle in aisles)
        {
            var hits = (await SearchAsync(http, aisle, k, cancellation)).Hits;
            precision.Add(hits.Count(h => string.Equals(h, aisle, StringComparison.OrdinalIgnoreCase)) / (double)k);
        }

        var rows = new List<IReadOnlyList<string>>();
        foreach (var concurrency in levels)
        {
            var latency = new LatencyHistogram();
            var embed = 0.0;
            var scan = 0.0;
            long next = -1, ok = 0, failed = 0;
            var clock = Stopwatch.StartNew();
            await AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"{concurrency} concurrent searches", maxValue: requests);
                    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
                    {
                        long i;
                        while ((i = Interlocked.Increment(ref next)) < requests)
                        {
                            var started = Stopwatch.GetTimestamp();
                            try
                            {
                                var result = await SearchAsync(http, aisles[(int)(i % aisles.Count)], k, cancellation);
                                latency.Record(Stopwatch.GetElapsedTime(started));
                                Interlocked.Increment(ref ok);
                                lock (latency)
                                {
                                    embed += result.EmbedMs;
                                    scan += result.SearchMs;
                                }
                            }
                            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
                            {
                                Interlocked.Increment(ref failed);
                            }

                            task.Increment(1);
                        }
                    }));
                });
            var seconds = clock.Elapsed.TotalSeconds;
            rows.Add([
                Report.Count(concurrency), Report.Count(ok), Report.Count(failed), Report.Count((long)(ok / seconds)), Report.Milliseconds(latency.PercentileMilliseconds(50)), Report.Milliseconds(latency.PercentileMilliseconds(90)),
                Report.Milliseconds(latency.PercentileMilliseconds(99)), Report.Milliseconds(latency.MaxMicroseconds / 1000.0), Report.Milliseconds(embed / Math.Max(1, ok)), Report.Milliseconds(scan / Math.Max(1, ok)),
            ]);
        }

        Report.Command("bench search", args);
        Console.Out.WriteLine($"Gateway {gateway.GetLeftPart(UriPartial.Authority)}: {indexed:N0} products indexed, encoder on {provider}, {Environment.ProcessorCount} cores here; " +
            $"queries: the {aisles.Count} Instacart aisle names in turn, k = {k}; latency measured at the client.");
        Console.Out.WriteLine();
        Report.Table(
            ["concurrency", "requests ok", "failed", "searches/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "server embed ms (mean)", "server fan-out ms (mean)"],
            rows);
        Report.Table(["queries (aisle names)", $"precision@{k} through /search"], [[Report.Count(aisles.Count), precision.Average().ToString("F3", CultureInfo.InvariantCulture)]]);
        return rows.Count > 0 ? 0 : 1;
    }

    private static async Task<(List<string> Hits, double EmbedMs, double SearchMs)> SearchAsync(HttpClient http, string query, int k, CancellationToken cancellation)
    {
        using var response = await http.GetAsync($"/search?q={Uri.EscapeDataString(query)}&k={k}", cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET /search answered {(int)response.StatusCode}");
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellation);
        var hits = body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("category").GetString() ?? "").ToList();
        return (hits, body.GetProperty("embedMilliseconds").GetDouble(), body.GetProperty("searchMilliseconds").GetDouble());
    }

    private static int[] ParseLevels(string value)
    {
        var levels = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_024
                ? n
                : throw new UsageException($"--concurrency takes numbers from 1 to 1024 separated by commas; got '{value}'"))
            .ToArray();
        return levels.Length > 0 ? levels : throw new UsageException("--concurrency needs at least one number");
    }
}
