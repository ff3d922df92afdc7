using System.Collections.Immutable;
using System.Globalization;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.Cluster;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Reporting;
using Marketing.Client;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench memory [--shoppers N] [--silo-http URL] [--concurrency N] [--settle-seconds N]</c>: how much silo memory
/// one active shopper costs. Reads the silo's heap and activation count, wakes N new shoppers with one small event
/// each, reads again at once (their state writes still pending), and again once the write-behind has written them
/// (or <c>--settle-seconds</c> ran out; 0 skips that). Run it against a single silo, or the shoppers spread over silos
/// the endpoint does not see.
/// </summary>
public static class BenchMemoryCommand
{
    public const string Usage = "bench memory [--shoppers 100000] [--silo-http URL] [--concurrency 64] [--settle-seconds 300]";

    /// <summary>A 384-d float32 interest embedding: 1,536 bytes of data plus a 24-byte array header.</summary>
    public const int EmbeddingBytes = (384 * sizeof(float)) + 24;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var shoppers = options.Int("shoppers", 100_000, 1);
        var silo = new Uri(options.String("silo-http", "http://127.0.0.1:8081/"), UriKind.Absolute);
        var concurrency = options.Int("concurrency", 64, 1, 4_096);
        var settleSeconds = options.Int("settle-seconds", 300, 0, 3_600);
        options.EnsureAllUsed();
        if (!HttpIntakeTarget.IsLoopback(silo))
        {
            throw new UsageException($"--silo-http must be a loopback address; got {silo}");
        }

        var cancellation = ConsoleCancellation.Token;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        MemorySnapshot before;
        try
        {
            before = await MemorySnapshot.ReadAsync(http, silo, cancellation);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or InvalidDataException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"cannot read the silo's memory at {silo}: is a silo running? ({e.Message})");
            return 1;
        }

        using var host = await ClusterConnection.ConnectAsync(ClusterConnection.DefaultTimeout, cancellation);
        if (host is null)
        {
            return 1;
        }

        var grains = host.Grains();
        var pseudonym = host.Services.GetRequiredService<ShopperPseudonym>();
        var runId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        long failed = 0;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RowsPerSecondColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("activating shoppers", maxValue: shoppers);
                await Parallel.ForEachAsync(
                    Enumerable.Range(0, shoppers),
                    new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation },
                    async (i, _) =>
                    {
                        var userId = $"memory-{runId}-{i.ToString(CultureInfo.InvariantCulture)}";
                        try
                        {
                            await grains.GetShopper(pseudonym, userId).Track(View(userId), EventSource.Import);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            Interlocked.Increment(ref failed);
                        }

                        task.Increment(1);
                    });
            });

        var after = await MemorySnapshot.ReadAsync(http, silo, cancellation);
        var sample = await grains.GetShopper(pseudonym, $"memory-{runId}-0").Get();
        var (settled, settledAfter) = await SettleAsync(http, silo, after, settleSeconds, cancellation);
        await host.StopAsync(CancellationToken.None);

        var embeddingShare = sample.HasInterestEmbedding ? EmbeddingBytes : 0;
        var embedding = sample.HasInterestEmbedding
            ? $"filled ({N(EmbeddingBytes)} B each, included above)"
            : $"not filled yet (would add about {N(EmbeddingBytes)} B each)";
        var perActivation = PerActivation(before, after);
        var withoutEmbedding = perActivation - embeddingShare;
        var settledRow = settled is null
            ? "not measured (--settle-seconds 0)"
            : $"{N(PerActivation(before, settled) - embeddingShare)} " + (settled.DirtyShoppers > 0
                ? $"({N(settled.DirtyShoppers)} still unwritten after {settledAfter.TotalSeconds:N0} s)"
                : $"(all written, {settledAfter.TotalSeconds:N0} s later)");

        Report.Command("bench memory", args);
        Report.Table(["measure", "value"], leftAligned: 2, rows:
        [
            ["shoppers sent one event", N(shoppers - failed)],
            ["failed", N(failed)],
            ["activations before → after", $"{N(before.Activations)} → {N(after.Activations)}"],
            ["GC heap before → after (MB)", $"{Mb(before.GcHeapBytes)} → {Mb(after.GcHeapBytes)}"],
            ["bytes per activation (heap Δ / activations Δ)", N(perActivation)],
            ["bytes per shopper (heap Δ / shoppers)", N((after.GcHeapBytes - before.GcHeapBytes) / (double)Math.Max(1, shoppers - failed))],
            ["interest embedding", embedding],
            ["bytes per activation without the embedding, writes pending", N(withoutEmbedding)],
            ["bytes per activation without the embedding, after the write-behind", settledRow],
            ["bytes per activation with a filled embedding, writes pending", N(withoutEmbedding + EmbeddingBytes)],
        ]);
        return failed == 0 ? 0 : 1;
    }

    private static double PerActivation(MemorySnapshot before, MemorySnapshot after) =>
        after.Activations > before.Activations
            ? (after.GcHeapBytes - before.GcHeapBytes) / (double)(after.Activations - before.Activations)
            : double.NaN;

    /// <summary>Waits (showing the count) until no shopper waits for its state write, then reads the heap again.</summary>
    private static async Task<(MemorySnapshot? Snapshot, TimeSpan After)> SettleAsync(
        HttpClient http, Uri silo, MemorySnapshot first, int seconds, CancellationToken cancellation)
    {
        if (seconds == 0)
        {
            return (null, TimeSpan.Zero);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var latest = first;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("waiting for the write-behind", maxValue: Math.Max(1, first.DirtyShoppers));
                while (latest.DirtyShoppers > 0 && clock.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    // Each read forces a full collection on the silo, so not too often.
                    await Task.Delay(TimeSpan.FromSeconds(5), cancellation);
                    latest = await MemorySnapshot.ReadAsync(http, silo, cancellation);
                    task.Value = first.DirtyShoppers - Math.Min(first.DirtyShoppers, latest.DirtyShoppers);
                }

                task.Value = task.MaxValue;
            });
        return (latest, clock.Elapsed);
    }

    private static ImmutableArray<ShopperEvent> View(string userId) =>
    [
        new ShopperEvent { EventId = $"{userId}-view", Type = ShopperEventType.View, Timestamp = DateTimeOffset.UtcNow, Sku = "24852" },
    ];

    private static string N(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => (bytes / 1_048_576.0).ToString("N1", CultureInfo.InvariantCulture);
}
