using System.Globalization;
using Marketing.Cli.CommandLine;
using Marketing.Ml.Embeddings;

namespace Marketing.Cli.Commands;

/// <summary>The options of <c>bench encoder</c>; defaults are the encoder's own (<see cref="EncoderOptions"/>).</summary>
internal sealed record BenchEncoderSettings(string DataFolder, int Sentences, int Concurrency, int LatencyRequests, int IndexSize, int Queries, EncoderSpinning Spinning, EncoderPrecision Precision, int MaxBatch, int IntraOpThreads, int ConcurrentRuns, int BatchWaitMs)
{
    public static BenchEncoderSettings Parse(string[] args)
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

        var known = new[] { "data", "sentences", "concurrency", "latency-requests", "index-size", "queries", "spinning", "precision", "max-batch", "intra-op-threads", "concurrent-runs", "batch-wait-ms" };
        var unknown = values.Keys.FirstOrDefault(k => !known.Contains(k));
        if (unknown is not null)
        {
            throw new UsageException($"Unknown option '--{unknown}'.");
        }

        return new BenchEncoderSettings(
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
                "auto" => EncoderPrecision.Auto,
                "int8" => EncoderPrecision.Int8,
                "float32" => EncoderPrecision.Float32,
                var other => throw new UsageException($"--precision must be auto, int8 or float32, not '{other}'."),
            },
            Number("max-batch", new EncoderOptions().MaxBatchSize),
            Number("intra-op-threads", new EncoderOptions().IntraOpThreads, allowZero: true),
            Number("concurrent-runs", new EncoderOptions().ConcurrentRuns),
            Number("batch-wait-ms", (int)new EncoderOptions().MaxBatchWait.TotalMilliseconds, allowZero: true));

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
