using System.Collections.Concurrent;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Search;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Marketing.Grains.Tests;

/// <summary>
/// The encoder model is swapped between two runs of a silo over the same storage, as an operator would by pointing
/// Encoder:ModelPath at another model: the vectors have the same length, but they are another model's. The silo says
/// so at start and in its status, searches leave the old vectors out, shoppers' old interests are not served, and a
/// reindex makes the vectors again. Word-hash encoders stand in for the two models (no ONNX load on a small machine).
/// </summary>
public sealed class ModelChangeTests
{
    private const string Category = "model change";

    private static readonly string[] Titles = ["Organic Lemons", "Dry Shampoo for Oily Hair", "Chicken Meatball Dog Treats"];

    [Fact]
    public async Task After_the_model_changes_old_vectors_are_counted_left_out_of_search_and_made_again_by_a_reindex()
    {
        var storage = new KeptStorage();
        var oldModel = new WordHashEncoder("words-a", "aaaaaaaaaaaa");
        var newModel = new WordHashEncoder("words-b", "bbbbbbbbbbbb");
        var skus = Titles.Select((_, i) => $"model-change-{i}").ToArray();

        await using (var before = await StartAsync(storage, oldModel, new LogRecords()))
        {
            var grains = before.Client;
            for (var i = 0; i < skus.Length; i++)
            {
                await grains.GetGrain<IProductGrain>(skus[i]).Upsert(new ProductInput { Title = Titles[i], Category = Category, Stock = 5 });
            }

            foreach (var shopper in new[] { "read-before-reindex", "read-after-reindex" })
            {
                await grains.GetGrain<IShopperGrain>(shopper).Track([ClusterFixture.View($"{shopper}-1", skus[0])], EventSource.Live);
                Assert.Equal(oldModel.Id, (await grains.GetGrain<IShopperInterest>(shopper).GetInterestEmbedding())?.Model);
            }

            Assert.Equal(skus[0], (await SearchAsync(grains, "lemons")).FirstOrDefault());
        }

        var logs = new LogRecords();
        await using var after = await StartAsync(storage, newModel, logs);
        var client = after.Client;
        var search = client.GetGrain<IProductSearchGrain>(0);

        // At start: a warning that names the count and the other model.
        var warning = await logs.WaitForAsync(r => r.Level == LogLevel.Warning && r.Message.Contains("another model", StringComparison.Ordinal));
        Assert.Contains("3 indexed products", warning.Message, StringComparison.Ordinal);
        Assert.Contains("words-a", warning.Message, StringComparison.Ordinal);

        // Status: the encoder's model now, and the three products of the old one.
        Assert.Equal(newModel.Id, (await client.GetGrain<IEmbeddingGrain>(0).Describe()).Model);
        Assert.Equal(new IndexedByModel(oldModel.Id, 3), Assert.Single(await search.IndexedByModel()));

        // The old vectors are not scored against a query of the new model, though their lengths agree.
        Assert.Empty(await SearchAsync(client, "lemons", SearchMode.Dense));
        // Their words still find them: a product's text does not depend on the model.
        Assert.Equal(skus[0], (await SearchAsync(client, "lemons", SearchMode.Lexical)).FirstOrDefault());
        Assert.False((await client.GetGrain<IProductGrain>(skus[0]).Get())?.HasEmbedding);
        Assert.Null(await client.GetGrain<IShopperInterest>("read-before-reindex").GetInterestEmbedding());

        var reindexed = 0;
        await foreach (var page in client.SkuPagesAsync(100))
        {
            foreach (var sku in page)
            {
                reindexed += await client.GetGrain<IProductEmbedding>(sku).Reindex() ? 1 : 0;
            }
        }

        Assert.Equal(3, reindexed);
        Assert.Equal(new IndexedByModel(newModel.Id, 3), Assert.Single(await search.IndexedByModel()));
        Assert.Equal(skus[0], (await SearchAsync(client, "lemons")).FirstOrDefault());
        Assert.Equal(skus[1], (await SearchAsync(client, "shampoo")).FirstOrDefault());
        Assert.Equal(newModel.Id, (await client.GetGrain<IProductEmbedding>(skus[0]).GetTextEmbedding())?.Model);

        // A shopper first read after the reindex gets an interest rebuilt from their recent views in the new model's space.
        var rebuilt = await client.GetGrain<IShopperInterest>("read-after-reindex").GetInterestEmbedding();
        Assert.NotNull(rebuilt);
        Assert.Equal(newModel.Id, rebuilt.Model);
        var nearest = await search.Nearest(new VectorQuery(rebuilt.Vector, 1, Category, false, null, rebuilt.Model));
        Assert.Equal(skus[0], Assert.Single(nearest.Hits).Sku);
    }

    private static async Task<string[]> SearchAsync(IGrainFactory grains, string query, SearchMode mode = SearchMode.Hybrid) =>
        [.. (await grains.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest(query, 3, Category, false, mode))).Hits.Select(h => h.Sku)];

    private static async Task<InProcessTestCluster> StartAsync(KeptStorage storage, WordHashEncoder encoder, LogRecords logs)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) => host.Logging.AddProvider(logs));
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.GrainState, (services, _) => storage.For(services.GetRequiredService<Serializer>()));
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.CatalogueState, (services, _) => storage.For(services.GetRequiredService<Serializer>()));
            silo.Services.AddSingleton<ITextEncoder>(encoder);
            silo.AddMarketingGrains();
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>
    /// Grain storage that outlives a cluster, as blob storage outlives a silo: states are kept serialized (so the next
    /// cluster reads its own copies) with an etag each.
    /// </summary>
    private sealed class KeptStorage
    {
        private readonly ConcurrentDictionary<(string State, GrainId Grain), (byte[] Bytes, string ETag)> _states = new();

        public IGrainStorage For(Serializer serializer) => new Provider(_states, serializer);

        private sealed class Provider(ConcurrentDictionary<(string State, GrainId Grain), (byte[] Bytes, string ETag)> states, Serializer serializer) : IGrainStorage
        {
            public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                if (states.TryGetValue((stateName, grainId), out var stored))
                {
                    grainState.State = serializer.Deserialize<T>(stored.Bytes);
                    grainState.ETag = stored.ETag;
                    grainState.RecordExists = true;
                }

                return Task.CompletedTask;
            }

            public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                var key = (stateName, grainId);
                var etag = Guid.NewGuid().ToString("N");
                lock (states)
                {
                    if ((states.TryGetValue(key, out var stored) ? stored.ETag : null) != grainState.ETag)
                    {
                        throw new InconsistentStateException($"{grainId} {stateName}: stored etag differs", stored.ETag, grainState.ETag);
                    }

                    states[key] = (serializer.SerializeToArray(grainState.State), etag);
                }

                grainState.ETag = etag;
                grainState.RecordExists = true;
                return Task.CompletedTask;
            }

            public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
            {
                states.TryRemove((stateName, grainId), out _);
                grainState.ETag = null;
                grainState.RecordExists = false;
                return Task.CompletedTask;
            }
        }
    }

    /// <summary>Hashes words into 16 dimensions, where a word lands depending on the model: two models, one vector length.</summary>
    private sealed class WordHashEncoder(string name, string weights) : ITextEncoder
    {
        public int Dimensions => 16;

        public TextModelId Model { get; } = new(name, weights, 16, TextModelId.MeanPooling, "words");

        public EmbeddingModelId Id => CurrentEmbeddingModel.From(Model);

        public ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken = default)
        {
            var vector = new float[Dimensions];
            foreach (var word in text.ToLowerInvariant().Split([' ', '.'], StringSplitOptions.RemoveEmptyEntries))
            {
                vector[SearchShards.Of(weights + word.TrimEnd('s'), Dimensions)] += 1;
            }

            var norm = MathF.Sqrt(vector.Sum(v => v * v));
            return ValueTask.FromResult<float[]>([.. vector.Select(v => v / norm)]);
        }

        public async Task<float[][]> EncodeBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
        {
            var result = new float[texts.Count][];
            for (var i = 0; i < texts.Count; i++)
            {
                result[i] = await EncodeAsync(texts[i], cancellationToken);
            }

            return result;
        }
    }

    /// <summary>The silo's log records, for a test to wait for one.</summary>
    private sealed class LogRecords : ILoggerProvider
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Message)> _records = new();

        public ILogger CreateLogger(string categoryName) => new Logger(_records);

        public async Task<(LogLevel Level, string Message)> WaitForAsync(Func<(LogLevel Level, string Message), bool> match)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (DateTime.UtcNow < deadline)
            {
                if (_records.FirstOrDefault(match) is { Message: not null } found)
                {
                    return found;
                }

                await Task.Delay(100);
            }

            throw new TimeoutException("no such log record within 15 s");
        }

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel Level, string Message)> records) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                records.Enqueue((logLevel, formatter(state, exception)));
        }
    }
}
