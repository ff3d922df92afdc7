using System.Diagnostics;
using System.Diagnostics.Metrics;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

[Collection(EncoderCollection.Name)]
public sealed class BatchingTextEncoderTests(EncoderFixture fixture)
{
    private static readonly string[] Titles =
        [.. InstacartCatalogue.Instance.Products.Where((_, i) => i % 700 == 3).Select(p => p.Name)];

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Concurrent_requests_get_the_same_vectors_as_single_calls_and_share_inference_runs(int concurrentRuns)
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions { MaxBatchSize = 16, ConcurrentRuns = concurrentRuns });
        var largestBatch = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BatchingTextEncoder.MeterName && instrument.Name == "encoder.batch.size")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) => InterlockedMax(ref largestBatch, size));
        listener.Start();

        var concurrent = await Task.WhenAll(Titles.Select(t => batching.EncodeAsync(t).AsTask()));
        var asBatch = await batching.EncodeBatchAsync(Titles);

        for (var i = 0; i < Titles.Length; i++)
        {
            var single = await fixture.Encoder.EncodeAsync(Titles[i]);
            Assert.True(VectorAssert.Cosine(single, concurrent[i]) > 0.99999f, Titles[i]);
            Assert.True(VectorAssert.Cosine(single, asBatch[i]) > 0.99999f, Titles[i]);
        }

        Assert.True(largestBatch > 1, $"largest batch {largestBatch}");
        Assert.Equal(0, batching.QueueLength);
    }

    [Fact]
    public async Task With_several_runs_allowed_a_busy_encoder_runs_batches_side_by_side()
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions { MaxBatchSize = 4, ConcurrentRuns = 2, IntraOpThreads = 1 });
        var runs = new List<(long Start, long End)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BatchingTextEncoder.MeterName && instrument.Name == "encoder.inference.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, ms, _, _) =>
        {
            var end = Stopwatch.GetTimestamp();
            lock (runs)
            {
                runs.Add((end - (long)(ms * Stopwatch.Frequency / 1000), end));
            }
        });
        listener.Start();

        var vectors = await Task.WhenAll(Titles.Concat(Titles).Select(t => batching.EncodeAsync(t).AsTask()));

        Assert.Equal(2, batching.ConcurrentRuns);
        Assert.Equal(Titles.Length * 2, vectors.Length);
        var ordered = runs.OrderBy(r => r.Start).ToArray();
        var overlapping = ordered.Skip(1).Where((run, i) => run.Start < ordered[..(i + 1)].Max(r => r.End)).Count();
        Assert.True(overlapping > 0, $"none of {ordered.Length} runs overlapped another");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_lone_request_on_an_idle_encoder_runs_at_once_alone_even_with_a_batch_window_set(int concurrentRuns)
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions { MaxBatchWait = TimeSpan.FromSeconds(1), ConcurrentRuns = concurrentRuns });
        var sizes = new List<int>();
        var waits = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BatchingTextEncoder.MeterName && instrument.Name is "encoder.batch.size" or "encoder.batch.waits")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            lock (sizes)
            {
                sizes.Add(size);
            }
        });
        listener.SetMeasurementEventCallback<long>((_, count, _, _) => Interlocked.Add(ref waits, count));
        listener.Start();

        foreach (var title in Titles.Take(5))
        {
            var vector = await batching.EncodeAsync(title);
            Assert.True(VectorAssert.Cosine(await fixture.Encoder.EncodeAsync(title), vector) > 0.99999f, title);
        }

        // Each ran as a batch of one, and no dispatcher held one back for batch-mates (the window is for a busy encoder).
        Assert.Equal([1, 1, 1, 1, 1], sizes);
        Assert.Equal(0, Interlocked.Read(ref waits));
    }

    [Theory]
    [InlineData(1, 0, true, false)]
    [InlineData(1, 2, false, false)]
    [InlineData(1, 2, true, true)]
    [InlineData(64, 2, true, false)]
    public void A_batch_waits_for_more_only_with_a_window_set_room_left_and_another_run_in_flight(int taken, int windowMs, bool anotherRunInFlight, bool waits)
    {
        var windowTicks = windowMs * Stopwatch.Frequency / 1000;

        Assert.Equal(waits, BatchingTextEncoder.ShouldWaitForMore(taken, 64, windowTicks, anotherRunInFlight));
    }

    [Fact]
    public async Task Short_and_long_texts_queued_together_run_apart_so_little_compute_goes_to_padding()
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions { MaxBatchSize = 64 });
        var runs = 0;
        var worstPadding = 0.0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BatchingTextEncoder.MeterName && instrument.Name == "encoder.batch.padding")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, share, _, _) =>
        {
            Interlocked.Increment(ref runs);
            lock (listener)
            {
                worstPadding = Math.Max(worstPadding, share);
            }
        });
        listener.Start();

        // Real titles, and every fourth one with a long description: one padded run would be mostly padding.
        var texts = Titles.Take(40)
            .Select((title, i) => i % 4 == 0 ? $"{title}. {string.Join(' ', Titles.Skip(i).Take(12))}" : title)
            .ToArray();
        var vectors = await batching.EncodeBatchAsync(texts);

        Assert.Equal(texts.Length, vectors.Length);
        Assert.True(runs >= 2, $"{runs} inference run(s) for short and long texts together");
        Assert.True(worstPadding < 0.35, $"worst run was {worstPadding:P0} padding");
    }

    [Fact]
    public async Task A_full_queue_refuses_new_texts_with_a_clear_error_and_serves_the_rest()
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions { MaxBatchSize = 4, MaxQueueLength = 8 });
        var text = Titles[0];

        var requests = Enumerable.Range(0, 300).Select(_ => batching.EncodeAsync(text).AsTask()).ToArray();
        var outcomes = await Task.WhenAll(requests.Select(async r =>
        {
            try
            {
                return (Vector: (float[]?)await r, Error: (Exception?)null);
            }
            catch (EncoderOverloadedException e)
            {
                return (Vector: (float[]?)null, Error: (Exception?)e);
            }
        }));

        var refused = outcomes.Where(o => o.Error is not null).ToArray();
        Assert.NotEmpty(refused);
        Assert.Contains("Encoder:MaxQueueLength", refused[0].Error!.Message, StringComparison.Ordinal);
        var expected = await fixture.Encoder.EncodeAsync(text);
        Assert.All(outcomes.Where(o => o.Vector is not null), o => Assert.True(VectorAssert.Cosine(expected, o.Vector!) > 0.99999f));
        Assert.Equal(0, batching.QueueLength);
    }

    [Fact]
    public async Task Over_long_text_is_truncated_to_the_model_limit_without_error()
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions());
        var head = string.Concat(Enumerable.Repeat("organic gala apples and fresh bananas ", 300));

        var first = await batching.EncodeAsync(head + "with chocolate syrup");
        var second = await batching.EncodeAsync(head + "with frozen pizza and dish soap");

        Assert.Equal(384, first.Length);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(first), 1e-4f);
        // Only the first 256 tokens are read, so different endings past the limit give the same vector.
        Assert.True(VectorAssert.Cosine(first, second) > 0.99999f);
    }

    [Fact]
    public async Task Empty_or_whitespace_text_is_an_argument_error_naming_the_position()
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions());

        await Assert.ThrowsAsync<ArgumentException>(() => batching.EncodeAsync("").AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => batching.EncodeAsync(" \t ").AsTask());
        var error = await Assert.ThrowsAsync<ArgumentException>(() => batching.EncodeBatchAsync(["Organic Bananas", "   "]));
        Assert.Contains("texts[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_request_is_cancelled()
    {
        using var meters = new TestMeterFactory();
        using var batching = Batching(meters, new EncoderOptions());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batching.EncodeAsync("Organic Bananas", new CancellationToken(true)).AsTask());
    }

    private BatchingTextEncoder Batching(IMeterFactory meters, EncoderOptions options) =>
        new(fixture.Encoder, Options.Create(options), meters);

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
