using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Reporting;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench conversation [--gateway URL] [--key KEY] [--dialogs 100] [--concurrency 1,4]</c>: turn latency of support
/// conversations through the gateway with the responder the silos run (the grounded one unless a chat endpoint is
/// configured). Each dialog is a new shopper with one purchase: "Where is my order?", the order number, a shipping
/// question and a product question; every turn is timed at the client (closed loop, one dialog per worker at a time).
/// </summary>
public static class BenchConversationCommand
{
    public const string Usage = "bench conversation [--gateway URL] [--key KEY] [--dialogs 100] [--concurrency 1,4]";

    private static readonly string[] Script = ["Where is my order?", "{order}", "How much does shipping cost?", "I need shampoo under $10"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var gateway = new Uri(options.String("gateway", "http://127.0.0.1:8080/"), UriKind.Absolute);
        var key = options.String("key") ?? Environment.GetEnvironmentVariable("MARKETING_API_KEY") ?? "dev-storefront-key";
        var dialogs = options.Int("dialogs", 100, 1, 10_000);
        var levels = options.String("concurrency", "1,4").Split(',').Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 256
            ? n : throw new UsageException($"--concurrency takes numbers from 1 to 256 separated by commas; got '{v}'")).ToArray();
        options.EnsureAllUsed();
        HttpIntakeTarget.RequireLoopback(gateway, "--gateway");

        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var cancellation = ConsoleCancellation.Token;
        var run = Guid.NewGuid().ToString("N")[..8];

        // One warm-up dialog: the silo trains its intent and sentiment models on first use.
        await DialogAsync(http, $"bench-{run}-warm", new LatencyHistogram(), cancellation);

        var rows = new List<IReadOnlyList<string>>();
        foreach (var concurrency in levels)
        {
            var latency = new LatencyHistogram();
            long next = -1;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                long i;
                while ((i = Interlocked.Increment(ref next)) < dialogs)
                {
                    await DialogAsync(http, $"bench-{run}-{concurrency}-{i}", latency, cancellation);
                }
            }));
            var seconds = clock.Elapsed.TotalSeconds;
            rows.Add([
                Report.Count(concurrency), Report.Count(latency.Count), Report.Count((long)(latency.Count / seconds)),
                Report.Milliseconds(latency.PercentileMilliseconds(50)), Report.Milliseconds(latency.PercentileMilliseconds(90)),
                Report.Milliseconds(latency.PercentileMilliseconds(99)), Report.Milliseconds(latency.MaxMicroseconds / 1000.0),
            ]);
        }

        Report.Command("bench conversation", args);
        Console.Out.WriteLine($"Gateway {gateway.GetLeftPart(UriPartial.Authority)}; {dialogs} dialogs of {Script.Length} turns per concurrency level; latency of POST /conversations/{{id}}/messages at the client.");
        Console.Out.WriteLine(MachineDescription.Line());
        Console.Out.WriteLine();
        Report.Table(["concurrency", "turns", "turns/s", "p50 ms", "p90 ms", "p99 ms", "max ms"], rows);
        return 0;
    }

    private static async Task DialogAsync(HttpClient http, string user, LatencyHistogram latency, CancellationToken cancellation)
    {
        var order = $"ORD-{user[^6..]}";
        using (var purchase = await http.PostAsJsonAsync("/events", new
        {
            eventId = $"{user}-p",
            userId = user,
            type = "purchase",
            orderId = order,
            lines = new[] { new { sku = "bench-sku", quantity = 1, price = 12.5m } },
        }, cancellation))
        {
            purchase.EnsureSuccessStatusCode();
        }

        using var started = await http.PostAsJsonAsync("/conversations", new { userId = user }, cancellation);
        started.EnsureSuccessStatusCode();
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("id").GetString();
        foreach (var line in Script)
        {
            var clock = Stopwatch.GetTimestamp();
            using var turn = await http.PostAsJsonAsync($"/conversations/{id}/messages", new { text = line.Replace("{order}", order, StringComparison.Ordinal) }, cancellation);
            turn.EnsureSuccessStatusCode();
            latency.Record(Stopwatch.GetElapsedTime(clock));
        }
    }
}
