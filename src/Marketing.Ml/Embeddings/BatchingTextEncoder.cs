using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// The silo-wide front of <see cref="OnnxTextEncoder"/>: callers tokenise on their own thread and queue; dispatcher
/// threads (<see cref="EncoderOptions.ConcurrentRuns"/>, one run in flight each) gather what is waiting into batches of
/// texts of similar token length (little padding), so concurrent requests share inference runs instead of fighting over
/// the cores. A batch holds only texts already waiting: a text that finds the encoder idle runs at once, alone. The
/// queue is bounded: a full queue refuses new texts with <see cref="EncoderOverloadedException"/> rather than growing
/// memory.
/// </summary>
public sealed partial class BatchingTextEncoder : ITextEncoder, IDisposable
{
    /// <summary>The meter of the encoder's instruments (batch size, queue wait, inference time, padding, rejections, provider).</summary>
    public const string MeterName = EncoderMetrics.MeterName;

    /// <summary>How many batches' worth of waiting texts are sorted together by length.</summary>
    private const int GroupingWindowBatches = 4;

    /// <summary>Outstanding chunks of one large <see cref="EncodeBatchAsync"/> call: keeps the pipeline full without flooding the queue.</summary>
    private const int ChunksInFlightPerCall = 4;

    private readonly OnnxTextEncoder _encoder;
    private readonly ILogger _logger;
    private readonly EncoderMetrics _metrics;
    private readonly EncoderQueue _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread[] _dispatchers;
    private readonly int _maxBatchSize;
    private readonly int _maxQueueLength;
    private readonly long _maxWaitTicks;

    public BatchingTextEncoder(
        OnnxTextEncoder encoder,
        IOptions<EncoderOptions> options,
        IMeterFactory meterFactory,
        ILogger<BatchingTextEncoder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meterFactory);
        var settings = options.Value;
        if (settings.ConcurrentRuns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), settings.ConcurrentRuns, "Encoder:ConcurrentRuns must be at least 1.");
        }

        _encoder = encoder;
        _logger = logger ?? NullLogger<BatchingTextEncoder>.Instance;
        _maxBatchSize = settings.MaxBatchSize;
        _maxQueueLength = settings.MaxQueueLength;
        _maxWaitTicks = (long)(settings.MaxBatchWait.TotalSeconds * Stopwatch.Frequency);
        _metrics = new EncoderMetrics(meterFactory, encoder.Provider, () => _queue!.Count);
        _queue = new EncoderQueue(settings.MaxQueueLength, settings.ConcurrentRuns, _metrics.Rejected);
        _dispatchers = new Thread[settings.ConcurrentRuns];
        for (var i = 0; i < _dispatchers.Length; i++)
        {
            _dispatchers[i] = new Thread(Dispatch) { IsBackground = true, Name = $"text-encoder-batches-{i}" };
            _dispatchers[i].Start(_queue.Lanes[i]);
        }
    }

    public int Dimensions => _encoder.Dimensions;

    public TextModelId Model => _encoder.Model;

    /// <summary>The execution provider inference runs on.</summary>
    public ExecutionProviderKind Provider => _encoder.Provider;

    /// <summary>The arithmetic the weight matrices run in, and why (see <see cref="OnnxTextEncoder.PrecisionReason"/>).</summary>
    public EncoderPrecision Precision => _encoder.Precision;

    /// <summary>Why <see cref="Precision"/>: the setting, or what <see cref="EncoderPrecision.Auto"/> saw in the processor.</summary>
    public string PrecisionReason => _encoder.PrecisionReason;

    /// <summary>Inference runs that may be in flight at once.</summary>
    public int ConcurrentRuns => _dispatchers.Length;

    /// <summary>Texts waiting for inference now.</summary>
    public int QueueLength => _queue.Count;

    public async ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken = default)
    {
        var ids = _encoder.Tokenize(text);
        var request = Submit([ids], 0, 1, cancellationToken);
        return (await request.Task.ConfigureAwait(false))[0];
    }

    public async Task<float[][]> EncodeBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tokenized = new int[texts.Count][];
        for (var i = 0; i < tokenized.Length; i++)
        {
            try
            {
                tokenized[i] = _encoder.Tokenize(texts[i]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"texts[{i}]: {e.Message}", nameof(texts), e);
            }
        }

        var results = new float[tokenized.Length][];
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(int Start, EncoderRequest Request)>();
        try
        {
            // A chunk never exceeds the queue bound, so a large call fits however small the queue is configured.
            var chunk = Math.Min(_maxBatchSize, _maxQueueLength);
            for (var start = 0; start < tokenized.Length; start += chunk)
            {
                if (inFlight.Count == ChunksInFlightPerCall)
                {
                    await Collect(inFlight.Dequeue(), results).ConfigureAwait(false);
                }

                var count = Math.Min(chunk, tokenized.Length - start);
                inFlight.Enqueue((start, Submit(tokenized, start, count, abandon.Token)));
            }

            while (inFlight.Count > 0)
            {
                await Collect(inFlight.Dequeue(), results).ConfigureAwait(false);
            }
        }
        catch
        {
            // Chunks already queued would only waste inference time now.
            await abandon.CancelAsync().ConfigureAwait(false);
            throw;
        }

        return results;

        static async Task Collect((int Start, EncoderRequest Request) chunk, float[][] results)
        {
            var vectors = await chunk.Request.Task.ConfigureAwait(false);
            vectors.CopyTo(results, chunk.Start);
        }
    }

    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        // The signal and the token source stay undisposed: a caller racing with shutdown may still touch them.
        _stop.Cancel();
        foreach (var dispatcher in _dispatchers)
        {
            dispatcher.Join();
        }

        FailQueued();
    }

    private void FailQueued() => _queue.FailAll(new ObjectDisposedException(nameof(BatchingTextEncoder)));

    private EncoderRequest Submit(int[][] tokenized, int start, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var request = _queue.Enqueue(tokenized, start, count, cancellationToken);
        if (_stop.IsCancellationRequested)
        {
            // Disposed while these were being queued: nobody will run them.
            FailQueued();
        }

        return request;
    }

    private void Dispatch(object? state)
    {
        var lane = (DispatcherLane)state!;

        // Each dispatcher sorts its share of the window, so a burst is spread over all of them rather than queued behind one.
        var window = _maxBatchSize * Math.Max(1, GroupingWindowBatches / _dispatchers.Length);
        var taken = new List<PendingText>(window);
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                _queue.Take(taken, window);
                if (taken.Count == 0)
                {
                    _queue.WaitForWork(lane, Timeout.InfiniteTimeSpan, stop);
                    continue;
                }

                // A batch is what was already waiting. Only while another run is in flight may it wait for more (and only
                // with Encoder:MaxBatchWait set): a text that finds the encoder idle runs at once.
                if (ShouldWaitForMore(taken.Count, _maxBatchSize, _maxWaitTicks, _queue.AnyOtherRunning(lane)))
                {
                    _metrics.WaitedForMore();
                    var deadline = Stopwatch.GetTimestamp() + _maxWaitTicks;
                    while (taken.Count < _maxBatchSize)
                    {
                        var remaining = deadline - Stopwatch.GetTimestamp();
                        if (remaining <= 0)
                        {
                            break;
                        }

                        if (_queue.Take(taken, window) == 0)
                        {
                            _queue.WaitForWork(lane, TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency), stop);
                        }
                    }
                }

                if (!_queue.IsEmpty)
                {
                    // More than this dispatcher took: an idle one runs it meanwhile.
                    _queue.WakeOne();
                }

                Volatile.Write(ref lane.Running, 1);
                try
                {
                    RunGrouped(taken);
                }
                finally
                {
                    Volatile.Write(ref lane.Running, 0);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            finally
            {
                foreach (var pending in taken)
                {
                    pending.Request.TrySetException(new ObjectDisposedException(nameof(BatchingTextEncoder)));
                }

                taken.Clear();
            }
        }
    }

    /// <summary>
    /// Whether a dispatcher holding <paramref name="taken"/> texts waits for more before its run: only when the batch has
    /// room, a window is configured, and another run is in flight (so the encoder is not idle and the cores are busy anyway).
    /// </summary>
    internal static bool ShouldWaitForMore(int taken, int maxBatchSize, long windowTicks, bool anotherRunInFlight) =>
        taken < maxBatchSize && windowTicks > 0 && anotherRunInFlight;

    /// <summary>Sorts by token length and runs the texts in the groups <see cref="LengthGrouping.CheapestCuts"/> picks.</summary>
    private void RunGrouped(List<PendingText> taken)
    {
        taken.Sort(static (a, b) => a.Ids.Length != b.Ids.Length
            ? a.Ids.Length.CompareTo(b.Ids.Length)
            : a.Sequence.CompareTo(b.Sequence));
        var ends = LengthGrouping.CheapestCuts(taken.ConvertAll(static p => p.Ids.Length), _maxBatchSize);
        var group = new List<int[]>(_maxBatchSize);
        var start = 0;
        foreach (var end in ends)
        {
            group.Clear();
            var tokens = 0;
            for (var i = start; i < end; i++)
            {
                group.Add(taken[i].Ids);
                tokens += taken[i].Ids.Length;
            }

            var began = Stopwatch.GetTimestamp();
            for (var i = start; i < end; i++)
            {
                _metrics.Waited(Stopwatch.GetElapsedTime(taken[i].EnqueuedAt, began).TotalMilliseconds);
            }

            try
            {
                var vectors = _encoder.Run(group);
                for (var i = start; i < end; i++)
                {
                    taken[i].Request.Complete(taken[i].Index, vectors[i - start]);
                }

                var width = taken[end - 1].Ids.Length;
                _metrics.Batch(end - start, Stopwatch.GetElapsedTime(began).TotalMilliseconds, 1 - ((double)tokens / ((end - start) * width)));
            }
            catch (Exception e)
            {
                LogInferenceFailed(_logger, end - start, e);
                for (var i = start; i < end; i++)
                {
                    taken[i].Request.TrySetException(e);
                }
            }

            start = end;
        }

        taken.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Text encoder inference failed for a batch of {Count} texts")]
    private static partial void LogInferenceFailed(ILogger logger, int count, Exception exception);
}
