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
/// Exits 0 when every record was imported, <see cref="PartlyImported"/> when some could not be (the summary names
/// the causes; running it again fills in what is missing), 1 when nothing could be imported.
/// </summary>
public static class ImportCommand
{
    /// <summary>The exit code when the cluster did not take every record: not a usage error (2), and worth running again.</summary>
    public const int PartlyImported = 3;

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

        var runner = new ImportRunner(host.Grains(), host.Services.GetRequiredService<ShopperPseudonym>(), batch, concurrency, ImportRetry.Default);
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
        if (plan.ProductStage.FailedRecords + plan.EventStage.FailedRecords == 0)
        {
            return 0;
        }

        PrintRunAgain(plan);
        return PartlyImported;
    }

    /// <summary>Says what is missing and why running the import again is safe: it only fills that in.</summary>
    private static void PrintRunAgain(ImportPlan plan)
    {
        var products = plan.ProductStage.FailedRecords;
        var events = plan.EventStage.FailedRecords;
        var missing = string.Join(" and ", new[] { (products, "products"), (events, "events") }.Where(m => m.Item1 > 0).Select(m => $"{Report.Count(m.Item1)} {m.Item2}"));
        Console.Out.WriteLine(
            $"Not imported: {missing} (causes above). Run the same command again to fill them in: products already "
            + "stored unchanged are skipped, and each shopper's events resume after those it holds.");
    }

    /// <summary>A cause, with the first message where the cause is only an exception type.</summary>
    private static string FailureReason(FailureGroup failure) =>
        failure.Cause.EndsWith("Exception", StringComparison.Ordinal) || failure.Cause == ImportRunner.ClusterGoneCause
            ? $"{failure.Cause}: {failure.FirstMessage}"
            : failure.Cause;

    /// <summary>The first few SKUs (or user ids) of a failure, and how many more.</summary>
    private static string FailureExamples(StageTally stage, FailureGroup failure)
    {
        var examples = failure.Examples;
        var keys = stage.Name == "events" ? "shoppers " : "";
        return keys + string.Join(", ", examples) + (failure.Keys > examples.Count ? $", … ({Report.Count(failure.Keys - examples.Count)} more)" : "");
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
            .SelectMany(s => s.Rejected.Select(r => (Stage: s.Name, Kind: "rejected row", Reason: r.Key, Count: r.Value, Examples: ""))
                .Concat(s.Failed.Values.Select(f => (Stage: s.Name, Kind: "failed record", Reason: FailureReason(f), Count: f.Records, Examples: FailureExamples(s, f)))))
            .OrderByDescending(p => p.Count)
            .ToList();
        if (problems.Count > 0)
        {
            Report.Table(
                ["stage", "kind", "reason", "examples", "count"],
                problems.Select(p => (IReadOnlyList<string>)[p.Stage, p.Kind, p.Reason, p.Examples, Report.Count(p.Count)]),
                leftAligned: 4);
        }

        var resent = stages.Sum(s => s.Resent);
        if (resent > 0)
        {
            Console.Out.WriteLine($"{Report.Count(resent)} calls were sent again because their silo could not be reached or did not answer.");
        }

        var flagged = plan.EventStage.FlaggedAsBot;
        Console.Out.WriteLine(
            $"Total {total.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture)} s" + (flagged > 0 ? $"; {Report.Count(flagged)} events kept out as bot traffic" : ""));
    }
}
