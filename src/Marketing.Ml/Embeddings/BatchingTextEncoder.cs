using System.Collections.Concurrent;
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
/// the cores. The queue is bounded: a full queue refuses new texts with <see cref="EncoderOverloadedException"/> rather
/// than growing memory.
/// </summary>
public sealed partial class BatchingTextEncoder : ITextEncoder, IDisposable
{
    /// <summary>The meter of the encoder's instruments (batch size, queue wait, inference time, padding, rejections, provider).</summary>
    public const string MeterName = EncoderMetrics.MeterName;

    /// <summary>How many batches' worth of waiting texts are sorted together by length.</summary>
    private const int GroupingWindowBatches = 4;

    /// <summary>Outstanding chunks of one large <see cref="EncodeBatchAsync"/> call: keeps the pipeline full without flooding the queue.</summary>
    private const int ChunksInFlightPerCall = 4;

    /// <summary>Rough fixed cost of one more inference run, in padded token slots (measured on 2 cores; see <see cref="CheapestCuts"/>).</summary>
    private const int RunOverheadTokens = 32;

    private readonly OnnxTextEncoder _encoder;
    private readonly ILogger _logger;
    private readonly EncoderMetrics _metrics;
    private readonly ConcurrentQueue<Pending> _queue = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lane[] _lanes;
    private readonly int _maxBatchSize;
    private readonly int _maxQueueLength;
    private readonly long _maxWaitTicks;
    private int _queued;
    private long _sequence;

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
        _metrics = new EncoderMetrics(meterFactory, encoder.Provider, () => Volatile.Read(ref _queued));
        _lanes = new Lane[settings.ConcurrentRuns];
        for (var i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new Lane(new Thread(Dispatch) { IsBackground = true, Name = $"text-encoder-batches-{i}" });
            _lanes[i].Dispatcher.Start(_lanes[i]);
        }
    }

    public int Dimensions => _encoder.Dimensions;

    public TextModelId Model => _encoder.Model;

    /// <summary>The execution provider inference runs on.</summary>
    public ExecutionProviderKind Provider => _encoder.Provider;

    /// <summary>Inference runs that may be in flight at once.</summary>
    public int ConcurrentRuns => _lanes.Length;

    /// <summary>Texts waiting for inference now.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

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
        var inFlight = new Queue<(int Start, Request Request)>();
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

        static async Task Collect((int Start, Request Request) chunk, float[][] results)
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
        foreach (var lane in _lanes)
        {
            lane.Dispatcher.Join();
        }

        FailQueued();
    }

    private void FailQueued()
    {
        while (_queue.TryDequeue(out var pending))
        {
            Interlocked.Decrement(ref _queued);
            pending.Request.TrySetException(new ObjectDisposedException(nameof(BatchingTextEncoder)));
        }
    }

    private Request Submit(int[][] tokenized, int start, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var queued = Interlocked.Add(ref _queued, count);
        if (queued > _maxQueueLength)
        {
            Interlocked.Add(ref _queued, -count);
            _metrics.Rejected(count);
            throw new EncoderOverloadedException(queued - count, _maxQueueLength);
        }

        var request = new Request(count, cancellationToken);
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(new Pending(tokenized[start + i], request, i, now, Interlocked.Increment(ref _sequence)));
        }

        WakeOne();
        if (_stop.IsCancellationRequested)
        {
            // Disposed while these were being queued: nobody will run them.
            FailQueued();
        }

        return request;
    }

    private void Dispatch(object? state)
    {
        var lane = (Lane)state!;

        // Each dispatcher sorts its share of the window, so a burst is spread over all of them rather than queued behind one.
        var window = _maxBatchSize * Math.Max(1, GroupingWindowBatches / _lanes.Length);
        var taken = new List<Pending>(window);
        var lastTaken = 0;
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                Take(taken, window);
                if (taken.Count == 0)
                {
                    WaitForWork(lane, Timeout.InfiniteTimeSpan, stop);
                    continue;
                }

                // Under concurrent load, a short wait fills the batch; a lone request on an idle encoder goes at once,
                // and so does any text another dispatcher is idle for.
                if (taken.Count < _maxBatchSize && lastTaken > 1 && _maxWaitTicks > 0 && !AnyOtherIdle(lane))
                {
                    var deadline = Stopwatch.GetTimestamp() + _maxWaitTicks;
                    while (taken.Count < _maxBatchSize)
                    {
                        var remaining = deadline - Stopwatch.GetTimestamp();
                        if (remaining <= 0)
                        {
                            break;
                        }

                        if (Take(taken, window) == 0)
                        {
                            WaitForWork(lane, TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency), stop);
                        }
                    }
                }

                lastTaken = taken.Count;
                if (!_queue.IsEmpty)
                {
                    // More than this dispatcher took: an idle one runs it meanwhile.
                    WakeOne();
                }

                RunGrouped(taken);
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
    /// Sleeps until <see cref="WakeOne"/> picks this dispatcher, the timeout passes or texts are already waiting. Only
    /// one dispatcher is woken per signal: on few cores, waking them all would cost a lone request a core.
    /// </summary>
    private void WaitForWork(Lane lane, TimeSpan timeout, CancellationToken stop)
    {
        lane.Wake.Reset();

        // Full fences on both sides (here and in WakeOne after the enqueue): either this sees the text, or WakeOne sees idle.
        Interlocked.Exchange(ref lane.Idle, 1);
        if (_queue.IsEmpty)
        {
            lane.Wake.Wait(timeout, stop);
        }

        Interlocked.Exchange(ref lane.Idle, 0);
    }

    private void WakeOne()
    {
        foreach (var lane in _lanes)
        {
            if (Interlocked.CompareExchange(ref lane.Idle, 0, 1) == 1)
            {
                lane.Wake.Set();
                return;
            }
        }
    }

    private bool AnyOtherIdle(Lane self)
    {
        foreach (var lane in _lanes)
        {
            if (lane != self && Volatile.Read(ref lane.Idle) == 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Moves waiting texts (up to <paramref name="limit"/> in all) into <paramref name="taken"/>, dropping those whose caller gave up.</summary>
    private int Take(List<Pending> taken, int limit)
    {
        var added = 0;
        while (taken.Count < limit && _queue.TryDequeue(out var pending))
        {
            Interlocked.Decrement(ref _queued);
            if (!pending.Request.Task.IsCompleted)
            {
                taken.Add(pending);
                added++;
            }
        }

        return added;
    }

    /// <summary>
    /// Sorts by token length and cuts the sorted texts into consecutive groups at the least total cost: each group pays
    /// its padded token slots (group size × its longest text) plus <see cref="RunOverheadTokens"/> for being a run of
    /// its own. Padding is compute spent on nothing; too many small runs spend it on per-run overhead instead.
    /// </summary>
    private void RunGrouped(List<Pending> taken)
    {
        taken.Sort(static (a, b) => a.Ids.Length != b.Ids.Length
            ? a.Ids.Length.CompareTo(b.Ids.Length)
            : a.Sequence.CompareTo(b.Sequence));
        var ends = CheapestCuts(taken);
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

    /// <summary>
    /// The group ends (exclusive) that cover texts sorted by length at the least cost, by dynamic programming over
    /// the cut points: cost(i..j) = <see cref="RunOverheadTokens"/> + (j − i) × length(j − 1), at most a batch a group.
    /// </summary>
    private int[] CheapestCuts(List<Pending> sorted)
    {
        var count = sorted.Count;
        var best = new long[count + 1];
        var cut = new int[count + 1];
        for (var j = 1; j <= count; j++)
        {
            var width = sorted[j - 1].Ids.Length;
            best[j] = long.MaxValue;
            for (var i = Math.Max(0, j - _maxBatchSize); i < j; i++)
            {
                var cost = best[i] + RunOverheadTokens + ((long)(j - i) * width);
                if (cost < best[j])
                {
                    best[j] = cost;
                    cut[j] = i;
                }
            }
        }

        var groups = 0;
        for (var j = count; j > 0; j = cut[j])
        {
            groups++;
        }

        var ends = new int[groups];
        for (var j = count; j > 0; j = cut[j])
        {
            ends[--groups] = j;
        }

        return ends;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Text encoder inference failed for a batch of {Count} texts")]
    private static partial void LogInferenceFailed(ILogger logger, int count, Exception exception);

    /// <summary>One dispatcher thread and the signal that wakes it; <see cref="Idle"/> is 1 while it may be woken.</summary>
    private sealed class Lane(Thread dispatcher)
    {
        public readonly Thread Dispatcher = dispatcher;
        public readonly ManualResetEventSlim Wake = new(false);
        public int Idle;
    }

    private readonly record struct Pending(int[] Ids, Request Request, int Index, long EnqueuedAt, long Sequence);

    /// <summary>One caller's texts; completes when every one of them has its vector.</summary>
    private sealed class Request : TaskCompletionSource<float[][]>
    {
        private readonly float[][] _vectors;
        private readonly CancellationTokenRegistration _cancellation;
        private int _remaining;

        public Request(int count, CancellationToken cancellationToken)
            : base(TaskCreationOptions.RunContinuationsAsynchronously)
        {
            _vectors = new float[count][];
            _remaining = count;
            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.Register(static state =>
                {
                    var (request, token) = ((Request, CancellationToken))state!;
                    request.TrySetCanceled(token);
                }, (this, cancellationToken));
            }
        }

        public void Complete(int index, float[] vector)
        {
            _vectors[index] = vector;
            if (Interlocked.Decrement(ref _remaining) == 0 && TrySetResult(_vectors))
            {
                _cancellation.Dispose();
            }
        }
    }
}
