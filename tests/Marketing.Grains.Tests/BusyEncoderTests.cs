using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Products;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Marketing.Grains.Tests;

/// <summary>
/// When the encoder refuses work (its queue is full), a product is still stored, catches up on its own, and a search
/// says "busy" instead of failing obscurely; when it does not answer at all, shoppers' events are not held back.
/// Its own one-silo cluster, with an encoder that can be told to refuse or to stall.
/// </summary>
public sealed class BusyEncoderTests : IAsyncLifetime
{
    private readonly RefusingEncoder _encoder = new();
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) => host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Search:EmbeddingRetryDelay"] = "00:00:00.200",
            ["Interest:LookupTimeout"] = "00:00:00.300",
        }));
        builder.ConfigureSilo((_, silo) =>
        {
            ClusterFixture.AddGrainStateStorage(silo);
            silo.Services.AddSingleton<ITextEncoder>(_encoder);
            silo.AddMarketingGrains();
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_product_upserted_while_the_encoder_is_busy_is_stored_and_embedded_once_it_is_free()
    {
        var product = _cluster.Client.GetGrain<IProductGrain>("busy-1");
        _encoder.Refusing = true;

        var stored = await product.Upsert(new ProductInput { Title = "Organic Lemons", Category = "fresh fruits", Stock = 4 });
        Assert.False(stored.HasEmbedding);
        Assert.Equal("Organic Lemons", (await product.Get())?.Title);

        _encoder.Refusing = false;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await product.Get())?.HasEmbedding != true && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.True((await product.Get())?.HasEmbedding, "embedded after the encoder became free");
        var found = await _cluster.Client.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest("lemons", 5, "fresh fruits", false));
        Assert.Equal("busy-1", Assert.Single(found.Hits).Sku);
    }

    [Fact]
    public async Task An_embedding_retry_that_finds_another_activations_product_does_not_write_its_text_over_it()
    {
        var product = _cluster.Client.GetGrain<IProductGrain>($"busy-race-{Guid.NewGuid():N}");
        var storage = _cluster.GetSiloServiceProvider(_cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.GrainState);
        var stored = new GrainState<ProductState>(new ProductState());
        var encodedBefore = 0;
        _encoder.Refusing = true;
        try
        {
            await product.Upsert(new ProductInput { Title = "Organic Lemons", Category = "fresh fruits", Stock = 4 });

            // The other activation stores the product renamed; this one still holds the lemons and retries their embedding.
            await storage.ReadStateAsync("product", product.GetGrainId(), stored);
            stored.State!.Product = stored.State.Product! with { Title = "Key Limes" };
            await storage.WriteStateAsync("product", product.GetGrainId(), stored);
        }
        finally
        {
            encodedBefore = _encoder.Encoded;
            _encoder.Refusing = false;
        }

        // Once the retry has embedded the lemons and written, what is stored is the other's limes, embedded (if at all)
        // from their own text.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_encoder.Encoded == encodedBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(_encoder.Encoded > encodedBefore, "the embedding was retried");
        await Task.Delay(500);
        await storage.ReadStateAsync("product", product.GetGrainId(), stored);
        Assert.Equal("Key Limes", stored.State!.Product!.Title);
        if (stored.State.TextEmbedding is { } embedding)
        {
            Assert.Equal(await _encoder.EncodeAsync(ProductGrain.EmbeddingText(stored.State.Product)), embedding);
        }
    }

    [Fact]
    public async Task A_search_while_the_encoder_is_busy_says_so()
    {
        _encoder.Refusing = true;
        try
        {
            var error = await Assert.ThrowsAsync<EncoderBusyException>(() =>
                _cluster.Client.GetGrain<IProductSearchGrain>(0).Search(new SearchRequest("a query never seen before", 5, null, false)));
            Assert.Contains("overloaded", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            _encoder.Refusing = false;
        }
    }

    [Fact]
    public async Task A_lookup_that_does_not_answer_holds_the_shopper_back_only_briefly_and_is_tried_again()
    {
        var shopper = _cluster.Client.GetGrain<IShopperGrain>($"stalled-{Guid.NewGuid():N}");
        var search = new ShopperEvent { EventId = "q1", Type = ShopperEventType.Search, Timestamp = DateTimeOffset.UtcNow, Query = "lemons for a stalled encoder" };
        await shopper.Track([search], EventSource.Live);
        var interest = shopper.AsReference<IShopperInterest>();

        _encoder.Stall();
        try
        {
            // The fold runs in the shopper's turn: it gives up on the query after Interest:LookupTimeout.
            var clock = Stopwatch.StartNew();
            Assert.Null(await interest.GetInterestEmbedding());
            var view = new ShopperEvent { EventId = "v1", Type = ShopperEventType.View, Timestamp = DateTimeOffset.UtcNow, Sku = "busy-none" };
            Assert.Equal(1, (await shopper.Track([view], EventSource.Live)).Accepted);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the shopper was held {clock.Elapsed.TotalSeconds:F1} s");
        }
        finally
        {
            _encoder.Release();
        }

        Assert.NotNull(await interest.GetInterestEmbedding());
    }

    /// <summary>Hashes words into a small vector (enough to tell lemons from the rest), refuses like a full queue, or stalls.</summary>
    private sealed class RefusingEncoder : ITextEncoder
    {
        public volatile bool Refusing;
        private volatile TaskCompletionSource? _stalled;

        private int _encoded;

        public int Dimensions => 16;

        public TextModelId Model { get; } = new("word-hash", "0123456789ab", 16, TextModelId.MeanPooling, "words");

        /// <summary>Texts encoded so far (not refused).</summary>
        public int Encoded => Volatile.Read(ref _encoded);

        public void Stall() => _stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _stalled?.TrySetResult();

        public async ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken = default)
        {
            if (Refusing)
            {
                throw new EncoderOverloadedException(4096, 4096);
            }

            if (_stalled is { } stalled)
            {
                await stalled.Task.WaitAsync(cancellationToken);
                _stalled = null;
            }

            Interlocked.Increment(ref _encoded);
            var vector = new float[Dimensions];
            foreach (var word in text.ToLowerInvariant().Split([' ', '.'], StringSplitOptions.RemoveEmptyEntries))
            {
                vector[SearchShards.Of(word.TrimEnd('s'), Dimensions)] += 1;
            }

            var norm = MathF.Sqrt(vector.Sum(v => v * v));
            return [.. vector.Select(v => v / norm)];
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
}
