using System.Globalization;
using Marketing.Abstractions;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.Cluster;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench intake [--through http|client] [--gateway URL] [--key KEY] [--shoppers N] [--rate EVENTS/S]
/// [--duration S] [--batch N] [--connections N] [--max-in-flight N] [--data DIR] [--timeline] [--silo-http URL]</c>: an
/// open-loop load test of event intake at a fixed offered rate, through the HTTP gateway or straight to the grains;
/// with <c>--timeline</c> it also shows the latency second by second, so a stall can be seen when it happened. It also
/// reads one silo's metrics before and after, and says how long that silo was paused by its garbage collector and
/// how long appends waited for the event log meanwhile, the two usual causes of a long tail.
/// </summary>
public static class BenchIntakeCommand
{
    public const string Usage =
        "bench intake [--through http|client] [--gateway URL] [--key KEY] [--shoppers 10000] [--rate 5000] [--duration 30] [--batch 1] [--connections 64] [--max-in-flight 10000] [--data DIR] [--timeline] [--silo-http URL]";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var through = options.Choice("through", "http", "http", "client");
        var gateway = new Uri(options.String("gateway", "http://127.0.0.1:8080/"), UriKind.Absolute);
        var key = options.String("key") ?? Environment.GetEnvironmentVariable("MARKETING_API_KEY");
        var shoppers = options.Int("shoppers", 10_000, 1);
        var rate = options.Int("rate", 5_000, 1, 1_000_000);
        var duration = options.Seconds("duration", 30);
        var batch = options.Int("batch", 1, 1, 1_000);
        var connections = options.Int("connections", 64, 1, 10_000);
        var maxInFlight = options.Int("max-in-flight", 10_000, 1, 1_000_000);
        var dataDir = DataPaths.Resolve(options.String("data"));
        var showTimeline = options.Flag("timeline");
        var siloHttp = new Uri(options.String("silo-http", "http://127.0.0.1:8081/"), UriKind.Absolute);
        options.EnsureAllUsed();
        options.EnsureNoPositionals();

        if (through == "http" && !HttpIntakeTarget.IsLoopback(gateway))
        {
            throw new UsageException($"--gateway must be a loopback address (127.0.0.1, ::1 or localhost); got {gateway}");
        }

        if (!HttpIntakeTarget.IsLoopback(siloHttp))
        {
            throw new UsageException($"--silo-http must be a loopback address (127.0.0.1, ::1 or localhost); got {siloHttp}");
        }

        var cancellation = ConsoleCancellation.Token;
        var (skus, queries, catalogue) = LoadEventFactory.LoadCatalogue(dataDir);
        var runId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var factory = new LoadEventFactory(skus, queries, shoppers, runId);

        IHost? host = null;
        IIntakeTarget target;
        if (through == "client")
        {
            host = await ClusterConnection.ConnectAsync(ClusterConnection.DefaultTimeout, cancellation);
            if (host is null)
            {
                return 1;
            }

            target = new ClientIntakeTarget(host.Grains(), host.Services.GetRequiredService<ShopperPseudonym>(), RequestTimeout);
        }
        else
        {
            target = new HttpIntakeTarget(gateway, key, connections, RequestTimeout);
        }

        var schedule = OpenLoopSchedule.For(rate, batch, duration);
        using var metricsHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var (siloBefore, siloProblem) = await SiloMetrics.ReadAsync(metricsHttp, siloHttp, cancellation);
        IntakeResult result;
        using (target)
        {
            var runner = new OpenLoopRunner(target, factory, batch, maxInFlight);
            result = await AnsiConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"offering {rate:N0} events/s", maxValue: schedule.TotalRequests);
                    return await runner.RunAsync(schedule, RequestTimeout, sent => task.Value = sent, cancellation);
                });
        }

        var (siloAfter, siloProblemAfter) = siloBefore is null ? (null, null) : await SiloMetrics.ReadAsync(metricsHttp, siloHttp, cancellation);
        if (host is not null)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        Report.Command("bench intake", args);
        Console.Out.WriteLine($"Traffic: {shoppers:N0} shoppers, {catalogue}; latency from each request's scheduled time, successful requests only.");
        Console.Out.WriteLine();
        var failed = result.RequestsSent - result.RequestsOk;
        var targetLabel = through == "http" ? gateway.GetLeftPart(UriPartial.Authority) : "orleans client";
        Report.Table(
            ["through", "batch", "connections", "offered events/s", "achieved events/s", "requests ok", "requests failed", "p50 ms", "p90 ms", "p99 ms", "max ms"],
            [[
                targetLabel, Report.Count(batch), through == "http" ? Report.Count(connections) : "-", Report.Count(rate), Report.Count((long)result.AchievedEventsPerSecond),
                Report.Count(result.RequestsOk), Report.Count(failed), Report.Milliseconds(result.Latency.PercentileMilliseconds(50)), Report.Milliseconds(result.Latency.PercentileMilliseconds(90)),
                Report.Milliseconds(result.Latency.PercentileMilliseconds(99)), Report.Milliseconds(result.Latency.MaxMicroseconds / 1000.0),
            ]]);
        var statuses = result.Statuses.OrderByDescending(s => s.Value).Select(s => (IReadOnlyList<string>)[s.Key, Report.Count(s.Value)]).ToList();
        if (result.Unfinished > 0)
        {
            statuses.Add(["unfinished after drain", Report.Count(result.Unfinished)]);
        }

        Report.Table(["status", "requests"], statuses);
        Console.Out.WriteLine(siloBefore is not null && siloAfter is not null
            ? $"Silo {siloHttp.GetLeftPart(UriPartial.Authority)} during the run: {siloAfter.DescribeSince(siloBefore)}."
            : $"Silo metrics not read: {siloProblem ?? siloProblemAfter}.");
        if (showTimeline)
        {
            Console.Out.WriteLine();
            Console.Out.WriteLine($"Latency by the second each request was due ({result.Timeline.SliceSeconds} s a row); the bar is the row's p99 against the run's highest:");
            Console.Out.WriteLine();
            TimelineReport.Write(result.Timeline);
        }

        return result.RequestsOk > 0 ? 0 : 1;
    }
}
