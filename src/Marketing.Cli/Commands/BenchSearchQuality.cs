using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.CommandLine;
using Marketing.Cli.Evaluation;
using Marketing.Cli.Import;
using Marketing.Cli.Reporting;
using Marketing.Ml.Embeddings;
using Marketing.Ml.Search;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Marketing.Cli.Commands;

/// <summary>
/// <c>bench search --queries FILE</c>: precision@k and nDCG@k of a judged query set for dense, lexical and hybrid
/// ranking side by side. <c>--through process</c> (the default) needs no cluster: it runs the silo's ranking code over
/// the whole Instacart catalogue in this process; <c>--through gateway</c> asks a running stack's <c>GET /search</c>
/// with each <c>mode</c>.
/// </summary>
public static class BenchSearchQuality
{
    private static readonly SearchMode[] Modes = [SearchMode.Dense, SearchMode.Lexical, SearchMode.Hybrid];

    public static async Task<int> RunAsync(string[] args, CommandArgs options, string queriesOption)
    {
        var through = options.Choice("through", "process", "process", "gateway");
        var k = options.Int("k", 10, 1, 100);
        var dataDir = DataPaths.Resolve(options.String("data"));
        var perQuery = options.Flag("per-query");
        var queriesPath = queriesOption == "true" ? QuerySet.DefaultPath : queriesOption;
        var (products, aisles) = ReadCatalogue(dataDir);
        IReadOnlyList<JudgedQuery> queries;
        try
        {
            queries = QuerySet.Load(queriesPath, aisles);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
        {
            throw new UsageException($"--queries: {e.Message}");
        }

        Func<JudgedQuery, SearchMode, Task<IReadOnlyList<string>>> answer;
        string setup;
        IDisposable? owned = null;
        HttpClient? http = null;
        if (through == "process")
        {
            var model = Enum.Parse<TextModel>(options.Choice("model", "minilm", "minilm", "arcticxs"), ignoreCase: true);
            var precision = Enum.Parse<EncoderPrecision>(options.Choice("precision", "auto", "auto", "int8", "float32"), ignoreCase: true);
            var shards = options.Int("shards", 8, 1, 256);
            var cache = options.String("vector-cache", Path.Combine(Path.GetTempPath(), "marketing-search-vectors"));
            options.EnsureAllUsed();
            var encoderOptions = new EncoderOptions { Model = model, Precision = precision, ExecutionProvider = ExecutionProviderPreference.Cpu };
            using var encoder = new OnnxTextEncoder(Options.Create(encoderOptions));
            var byAisle = products.ToDictionary(p => p.Sku, p => p.Category, StringComparer.Ordinal);
            CatalogueSearch search = null!;
            var (fromCache, encodeTime) = (false, TimeSpan.Zero);
            await AnsiConsole.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async context =>
                {
                    var task = context.AddTask($"embedding {products.Count:N0} products ({encoder.Model.Name})", maxValue: products.Count);
                    (search, fromCache, encodeTime) = await CatalogueSearch.BuildAsync(products, encoder, shards, cache, done => task.Value = done);
                });
            owned = search;
            var prefix = encoderOptions.EffectiveQueryPrefix;
            // Each query alone, as a shopper's search arrives (a prefix makes a query several tokens longer).
            var queryVectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
            var queryMs = new List<double>();
            foreach (var q in queries.Concat(queries))
            {
                var began = System.Diagnostics.Stopwatch.GetTimestamp();
                queryVectors[q.Query] = await encoder.EncodeAsync(prefix + q.Query);
                queryMs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(began).TotalMilliseconds);
            }

            // The first pass warms up; the second is timed.
            queryMs = [.. queryMs.Skip(queries.Count).Order()];

            answer = (q, mode) => Task.FromResult<IReadOnlyList<string>>([.. search.Search(q.Query, queryVectors[q.Query], mode, k).Select(m => byAisle[m.Sku])]);
            setup = $"In process, no cluster: {search.Count:N0} Instacart products in {shards} shards as the silo splits them; encoder {encoder.Model} on {encoder.Provider} in {encoder.Precision}, " +
                $"pooling {encoderOptions.EffectivePooling}, query prefix {(prefix.Length == 0 ? "none" : $"\"{prefix.Trim()}\"")} " +
                $"(one query alone: p50 {queryMs[queryMs.Count / 2]:F1} ms, mean {queryMs.Average():F1} ms); vectors {(fromCache ? "read from the cache" : $"encoded in {encodeTime.TotalSeconds:F0} s")} ({cache}).";
        }
        else
        {
            var gateway = new Uri(options.String("gateway", "http://127.0.0.1:8080/"), UriKind.Absolute);
            var key = options.String("key") ?? Environment.GetEnvironmentVariable("MARKETING_API_KEY") ?? "dev-storefront-key";
            options.EnsureAllUsed();
            HttpIntakeTarget.RequireLoopback(gateway, "--gateway");

            http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            var status = await http.GetFromJsonAsync<JsonElement>("/search/status");
            answer = async (q, mode) =>
            {
                var body = await http.GetFromJsonAsync<JsonElement>($"/search?q={Uri.EscapeDataString(q.Query)}&k={k}&mode={mode.ToString().ToLowerInvariant()}");
                return [.. body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("category").GetString() ?? "")];
            };
            setup = $"Through the gateway {gateway.GetLeftPart(UriPartial.Authority)}: {status.GetProperty("indexedProducts").GetInt32():N0} products indexed, model {status.GetProperty("model").GetString()}.";
        }

        try
        {
            var scores = new Dictionary<SearchMode, List<(double Precision, double Ndcg)>>();
            foreach (var mode in Modes)
            {
                scores[mode] = [];
                foreach (var q in queries)
                {
                    var relevant = (await answer(q, mode)).Select(aisle => q.Aisles.Contains(aisle)).ToList();
                    scores[mode].Add((RankingMetrics.PrecisionAt(relevant, k), RankingMetrics.NdcgAt(relevant, k)));
                }
            }

            Report.Command("bench search", args);
            Console.Out.WriteLine(MachineDescription.Line());
            Console.Out.WriteLine(setup);
            Console.Out.WriteLine($"Queries: {queries.Count} from {queriesPath}, judged by aisle; a hit is relevant when its aisle is one the query lists.");
            Console.Out.WriteLine();
            Report.Table(
                ["ranking", $"precision@{k}", $"nDCG@{k}", "queries with no relevant hit"],
                Modes.Select(m => (IReadOnlyList<string>)[
                    m.ToString().ToLowerInvariant(), F(scores[m].Average(s => s.Precision)), F(scores[m].Average(s => s.Ndcg)), Report.Count(scores[m].Count(s => s.Precision == 0)),
                ]));
            if (perQuery)
            {
                Report.Table(
                    ["query", .. Modes.Select(m => $"{m.ToString().ToLowerInvariant()} p@{k}")],
                    queries.Select((q, i) => (IReadOnlyList<string>)[q.Query, .. Modes.Select(m => F(scores[m][i].Precision))]));
            }

            return 0;
        }
        finally
        {
            owned?.Dispose();
            http?.Dispose();
        }
    }

    private static string F(double value) => value.ToString("F3", CultureInfo.InvariantCulture);

    private static (IReadOnlyList<Product> Products, IReadOnlySet<string> Aisles) ReadCatalogue(string dataDir)
    {
        try
        {
            var (records, _) = InstacartDataset.ReadProducts(dataDir, limit: null);
            var products = records.Select(r => new Product
            {
                Sku = r.Sku,
                Title = r.Input.Title,
                Category = r.Input.Category,
                Description = r.Input.Description,
                Brand = r.Input.Brand,
                Stock = r.Input.Stock,
            }).ToList();
            using var csv = CsvReader.Open(DataPaths.RequireFile(dataDir, $"{InstacartDataset.Folder}/aisles.csv"));
            var aisle = csv.Column("aisle");
            return (products, csv.Rows().Select(r => r[aisle]).ToHashSet(StringComparer.OrdinalIgnoreCase));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
        {
            throw new UsageException($"--data: the Instacart catalogue could not be read under {dataDir} ({e.Message})");
        }
    }
}
