using System.Diagnostics;
using System.Globalization;
using Marketing.Abstractions;
using Marketing.Cli.Cluster;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>import instacart|beauty|movielens [--data DIR] [--limit N] [--batch N] [--concurrency N] [--connect-timeout S]</c>:
/// reads a shared dataset, validates every row with the shared rules, and sends it through the Orleans client.
/// </summary>
public static class ImportCommand
{
    public static string Usage { get; } =
        $"import {string.Join('|', Datasets.All.Select(d => d.Name))} [--data DIR] [--limit N] [--batch 100] [--concurrency 128] [--connect-timeout 15]";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new CommandArgs(args);
        var datasetName = options.Positionals.Count == 1 ? options.Positionals[0] : throw new UsageException(
            $"name one dataset: {string.Join(", ", Datasets.All.Select(d => d.Name))}");
        var dataset = Datasets.Find(datasetName) ?? throw new UsageException(
            $"unknown dataset '{datasetName}'; expected one of {string.Join(", ", Datasets.All.Select(d => d.Name))}");
        var dataDir = DataPaths.Resolve(options.String("data"));
        var limit = options.OptionalInt("limit");
        var batch = options.Int("batch", 100, 1, 10_000);
        // Products wait for their embedding: more in flight lets the encoder run fuller batches (an import ran at 366 products/s against 264 at 32).
        var concurrency = options.Int("concurrency", 128, 1, 4_096);
        var connectTimeout = options.Seconds("connect-timeout", ClusterConnection.DefaultTimeout.TotalSeconds);
        options.EnsureAllUsed();
        var cancellation = ConsoleCancellation.Token;

        ImportPlan plan;
        try
        {
            plan = dataset.Read(dataDir, limit, DateTimeOffset.UtcNow);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return 1;
        }

        Console.Out.WriteLine(
            $"{dataset.Name}: {plan.Products.Count:N0} products and {plan.Shoppers.Sum(s => s.Events.Count):N0} events for {plan.Shoppers.Count:N0} shoppers read from {dataDir}");

        using var host = await ClusterConnection.ConnectAsync(connectTimeout, cancellation);
        if (host is null)
        {
            return 1;
        }

        var runner = new ImportRunner(host.Grains(), host.Services.GetRequiredService<ShopperPseudonym>(), batch, concurrency);
        var clock = Stopwatch.StartNew();
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RowsPerSecondColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var products = context.AddTask("products", autoStart: false, maxValue: Math.Max(1, plan.Products.Count));
                var events = context.AddTask("events", autoStart: false, maxValue: Math.Max(1, plan.EventRows));
                products.StartTask();
                await runner.ImportProductsAsync(plan, n => products.Increment(n), cancellation);
                products.Value = products.MaxValue;
                products.StopTask();
                events.StartTask();
                await runner.ImportEventsAsync(plan, n => events.Increment(n), cancellation);
                events.Value = events.MaxValue;
                events.StopTask();
            });
        clock.Stop();

        Report.Command("import", args);
        PrintSummary(dataset.Name, plan, clock.Elapsed);
        await host.StopAsync(CancellationToken.None);
        return plan.ProductStage.FailedRecords + plan.EventStage.FailedRecords > 0 ? 1 : 0;
    }

    private static void PrintSummary(string dataset, ImportPlan plan, TimeSpan total)
    {
        StageTally[] stages = [plan.ProductStage, plan.EventStage];
        Report.Table(
            ["stage", "rows read", "rows rejected", "records", "imported", "duplicates", "failed", "duration s", "rows/s"],
            stages.Where(s => s.RowsRead > 0).Select(s => (IReadOnlyList<string>)
            [
                $"{dataset} {s.Name}", Report.Count(s.RowsRead), Report.Count(s.RejectedRows), Report.Count(s.Records), Report.Count(s.Imported), Report.Count(s.Duplicates),
                Report.Count(s.FailedRecords), s.Duration.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture),
                Report.Count((long)(s.RowsRead / Math.Max(s.Duration.TotalSeconds, 0.001))),
            ]));

        var problems = stages
            .SelectMany(s => s.Rejected.Select(r => (Stage: s.Name, Kind: "rejected row", Reason: r.Key, Count: r.Value))
                .Concat(s.Failed.Select(f => (Stage: s.Name, Kind: "failed record", Reason: f.Key, Count: f.Value))))
            .OrderByDescending(p => p.Count)
            .ToList();
        if (problems.Count > 0)
        {
            Report.Table(["stage", "kind", "reason", "count"], problems.Select(p => (IReadOnlyList<string>)[p.Stage, p.Kind, p.Reason, Report.Count(p.Count)]), leftAligned: 3);
        }

        var flagged = plan.EventStage.FlaggedAsBot;
        Console.Out.WriteLine(
            $"Total {total.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s" + (flagged > 0 ? $"; {Report.Count(flagged)} events kept out as bot traffic" : ""));
    }
}
