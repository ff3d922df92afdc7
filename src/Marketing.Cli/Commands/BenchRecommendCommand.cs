using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench recommend [--gateway URL] [--key KEY] [--shoppers 20000] [--events-per-shopper 5] [--rate 500]
/// [--duration 30] [--k 10] [--max-in-flight 256] [--data DIR]</c>: gives each of N shoppers a few events on Instacart
/// products (stable ids, so a second run adds nothing), then asks the gateway for recommendations on an open-loop
/// clock (home, product page and cart mixed) and prints latency percentiles per context, measured from each
/// request's scheduled time.
/// </summary>
public static class BenchRecommendCommand
{
    public const string Usage = "bench recommend [--gateway URL] [--key KEY] [--shoppers 20000] [--events-per-shopper 5] [--rate 500] [--duration 30] [--k 10] [--max-in-flight 256] [--data DIR]";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly string[] Contexts = ["home", "product", "cart"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var gateway = new Uri(options.String("gateway", "http://127.0.0.1:8080/"), UriKind.Absolute);
        var key = options.String("key") ?? Environment.GetEnvironmentVariable("MARKETING_API_KEY") ?? "dev-storefront-key";
        var shoppers = options.Int("shoppers", 20_000, 1, 10_000_000);
        var perShopper = options.Int("events-per-shopper", 5, 0, 100);
        var rate = options.Int("rate", 500, 1, 100_000);
        var duration = options.Seconds("duration", 30);
        var k = options.Int("k", 10, 1, 100);
        var maxInFlight = options.Int("max-in-flight", 256, 1, 100_000);
        var dataDir = DataPaths.Resolve(options.String("data"));
        options.EnsureAllUsed();
        options.EnsureNoPositionals();

        HttpIntakeTarget.RequireLoopback(gateway, "--gateway");

        var (skus, _, catalogue) = LoadEventFactory.LoadCatalogue(dataDir);
        if (skus.Count == 0)
        {
            throw new UsageException($"no Instacart order lines under {dataDir}: the shoppers' events name their products");
        }

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = maxInFlight, UseCookies = false })
        {
            BaseAddress = gateway,
            Timeout = RequestTimeout,
        };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var cancellation = ConsoleCancellation.Token;
        int indexed;
        try
        {
            indexed = (await http.GetFromJsonAsync<JsonElement>("/search/status", cancellation)).GetProperty("indexedProducts").GetInt32();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"cannot reach the gateway at {gateway}: is the stack running (infra/run.sh --demo)? ({e.Message})");
            return 1;
        }

        var random = new Random(42);
        var seeded = await SeedAsync(http, shoppers, perShopper, skus, random, cancellation);

        // Warm-up, one at a time: product records into each silo's cache, the code paths jitted.
        for (var i = 0; i < 300; i++)
        {
            await http.GetAsync(PathFor(random, shoppers, skus, k), cancellation);
        }

        var schedule = new OpenLoopSchedule(rate, Math.Max(1, (long)(rate * duration.TotalSeconds)));
        var latency = Contexts.ToDictionary(c => c, _ => new LatencyHistogram());
        var all = new LatencyHistogram();
        long ok = 0, failed = 0, personalised = 0, items = 0;
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var start = Stopwatch.GetTimestamp();

        async Task SendAsync(long due, string context, string path)
        {
            try
            {
                using var response = await http.GetAsync(path, cancellation);
                var body = await response.Content.ReadAsStreamAsync(cancellation);
                var took = Stopwatch.GetElapsedTime(due);
                if (response.IsSuccessStatusCode)
                {
                    var list = await JsonDocument.ParseAsync(body, cancellationToken: cancellation);
                    latency[context].Record(took);
                    all.Record(took);
                    Interlocked.Increment(ref ok);
                    Interlocked.Add(ref items, list.RootElement.GetProperty("items").GetArrayLength());
                    if (list.RootElement.GetProperty("personalised").GetBoolean())
                    {
                        Interlocked.Increment(ref personalised);
                    }
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                slots.Release();
            }
        }

        await AnsiConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask($"offering {rate:N0} requests/s", maxValue: schedule.TotalRequests);
                long sent = 0;
                while (sent < schedule.TotalRequests)
                {
                    for (var due = schedule.DueBy(Stopwatch.GetElapsedTime(start)); sent < due; sent++)
                    {
                        await slots.WaitAsync(cancellation);
                        var dueAt = start + (long)(schedule.DueAt(sent).TotalSeconds * Stopwatch.Frequency);
                        var path = PathFor(random, shoppers, skus, k);
                        _ = SendAsync(dueAt, path.Contains("context=product", StringComparison.Ordinal) ? "product" : path.Contains("context=cart", StringComparison.Ordinal) ? "cart" : "home", path);
                    }

                    task.Value = sent;
                    await Task.Delay(1, cancellation);
                }

                for (var i = 0; i < maxInFlight; i++)
                {
                    await slots.WaitAsync(RequestTimeout, cancellation);
                }
            });

        Report.Command("bench recommend", args);
        Console.Out.WriteLine(MachineDescription.Line());
        Console.Out.WriteLine($"Catalogue: {indexed:N0} indexed products; shoppers: {shoppers:N0} with {perShopper} events each on {catalogue} ({seeded:N0} events sent); "
            + $"{rate:N0} requests/s offered for {duration.TotalSeconds:N0} s through {gateway.GetLeftPart(UriPartial.Authority)}, k = {k}, at most {maxInFlight} in flight.");
        Console.Out.WriteLine();
        Report.Table(
            ["context", "requests ok", "p50 ms", "p90 ms", "p99 ms", "max ms"],
            [.. Contexts.Select(c => Row(c, latency[c])), Row("all", all)]);
        Console.Out.WriteLine($"Failed: {failed:N0}; personalised: {(ok == 0 ? 0 : 100.0 * personalised / ok):F1}%; items per list: {(ok == 0 ? 0 : (double)items / ok):F1}.");
        return ok > 0 && failed == 0 ? 0 : 1;
    }

    private static IReadOnlyList<string> Row(string context, LatencyHistogram h) =>
        [context, Report.Count(h.Count), Report.Milliseconds(h.PercentileMilliseconds(50)), Report.Milliseconds(h.PercentileMilliseconds(90)),
            Report.Milliseconds(h.PercentileMilliseconds(99)), Report.Milliseconds(h.MaxMicroseconds / 1000.0)];

    /// <summary>60% home, 25% a product page, 15% the cart, for a random shopper.</summary>
    private static string PathFor(Random random, int shoppers, IReadOnlyList<string> skus, int k)
    {
        var user = ShopperId(random.Next(shoppers));
        var draw = random.NextDouble();
        return draw < 0.60 ? $"/users/{user}/recommendations?k={k}"
            : draw < 0.85 ? $"/users/{user}/recommendations?k={k}&context=product&sku={Uri.EscapeDataString(skus[random.Next(skus.Count)])}"
            : $"/users/{user}/recommendations?k={k}&context=cart";
    }

    private static string ShopperId(int i) => $"bench-rec-{i.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Views, clicks, a cart add and a purchase on purchase-weighted SKUs; event ids are stable, so a rerun only resends.</summary>
    private static async Task<long> SeedAsync(HttpClient http, int shoppers, int perShopper, IReadOnlyList<string> skus, Random random, CancellationToken cancellation)
    {
        if (perShopper == 0)
        {
            return 0;
        }

        var types = new[] { "view", "view", "click", "add-to-cart", "purchase" };
        long sent = 0;
        var batch = new StringBuilder();
        var inBatch = 0;
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await AnsiConsole.Progress().AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("seeding shoppers' events", maxValue: shoppers);
                for (var s = 0; s < shoppers; s++)
                {
                    for (var e = 0; e < perShopper; e++)
                    {
                        var type = types[e % types.Length];
                        var sku = skus[random.Next(skus.Count)];
                        var body = type == "purchase"
                            ? $$"""{"eventId":"bench-rec-{{s}}-{{e}}","userId":"{{ShopperId(s)}}","type":"purchase","timestamp":"{{now}}","orderId":"bench-{{s}}","lines":[{"sku":"{{sku}}","quantity":1,"price":1}]}"""
                            : $$"""{"eventId":"bench-rec-{{s}}-{{e}}","userId":"{{ShopperId(s)}}","type":"{{type}}","timestamp":"{{now}}","sku":"{{sku}}","quantity":1}""";
                        batch.Append(inBatch == 0 ? '[' : ',').Append(body);
                        if (++inBatch == 1_000)
                        {
                            sent += await PostAsync(http, batch, inBatch, cancellation);
                            inBatch = 0;
                        }
                    }

                    task.Value = s + 1;
                }

                if (inBatch > 0)
                {
                    sent += await PostAsync(http, batch, inBatch, cancellation);
                }
            });
        return sent;
    }

    private static async Task<long> PostAsync(HttpClient http, StringBuilder batch, int count, CancellationToken cancellation)
    {
        batch.Append(']');
        using var response = await http.PostAsync("/events", new StringContent(batch.ToString(), Encoding.UTF8, "application/json"), cancellation);
        batch.Clear();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"seeding events failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellation)}");
        }

        return count;
    }
}
