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
/// <c>bench memory [--shoppers N] [--silo-http URL] [--concurrency N]</c>: how much silo memory one active shopper
/// costs. Reads the silo's heap and activation count, wakes N new shoppers with one small event each, reads again.
/// Run it against a single silo, or the shoppers spread over silos the endpoint does not see.
/// </summary>
public static class BenchMemoryCommand
{
    /// <summary>A 384-d float32 interest embedding: 1,536 bytes of data plus a 24-byte array header.</summary>
    public const int EmbeddingBytes = (384 * sizeof(float)) + 24;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var shoppers = options.Int("shoppers", 100_000, 1);
        var silo = new Uri(options.String("silo-http", "http://127.0.0.1:8081/"), UriKind.Absolute);
        var concurrency = options.Int("concurrency", 64, 1, 4_096);
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
        await host.StopAsync(CancellationToken.None);

        var activated = after.Activations - before.Activations;
        var heap = after.GcHeapBytes - before.GcHeapBytes;
        var perActivation = activated > 0 ? heap / (double)activated : double.NaN;
        var embedding = sample.HasInterestEmbedding
            ? $"filled ({N(EmbeddingBytes)} B each, included above)"
            : $"not filled yet (would add about {N(EmbeddingBytes)} B each)";
        var withoutEmbedding = sample.HasInterestEmbedding ? perActivation - EmbeddingBytes : perActivation;

        Report.Command("bench memory", args);
        Report.Table(["measure", "value"], leftAligned: 2, rows:
        [
            ["shoppers sent one event", N(shoppers - failed)],
            ["failed", N(failed)],
            ["activations before → after", $"{N(before.Activations)} → {N(after.Activations)}"],
            ["GC heap before → after (MB)", $"{Mb(before.GcHeapBytes)} → {Mb(after.GcHeapBytes)}"],
            ["bytes per activation (heap Δ / activations Δ)", N(perActivation)],
            ["bytes per shopper (heap Δ / shoppers)", N(heap / (double)Math.Max(1, shoppers - failed))],
            ["interest embedding", embedding],
            ["bytes per activation without the embedding", N(withoutEmbedding)],
            ["bytes per activation with a filled embedding", N(withoutEmbedding + EmbeddingBytes)],
        ]);
        return failed == 0 ? 0 : 1;
    }

    private static ImmutableArray<ShopperEvent> View(string userId) =>
    [
        new ShopperEvent { EventId = $"{userId}-view", Type = ShopperEventType.View, Timestamp = DateTimeOffset.UtcNow, Sku = "24852" },
    ];

    private static string N(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Mb(long bytes) => (bytes / 1_048_576.0).ToString("N1", CultureInfo.InvariantCulture);
}
