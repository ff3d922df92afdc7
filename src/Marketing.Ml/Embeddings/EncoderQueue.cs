using System.Collections.Concurrent;
using System.Diagnostics;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// The batcher's bounded queue of tokenised texts and the dispatcher lanes that take from it. Queuing wakes one idle
/// lane, never all: on few cores, waking them all would cost a lone request a core.
/// </summary>
internal sealed class EncoderQueue
{
    private readonly ConcurrentQueue<PendingText> _queue = new();
    private readonly int _maxLength;
    private readonly Action<int> _rejected;
    private int _queued;
    private long _sequence;

    public EncoderQueue(int maxLength, int lanes, Action<int> rejected)
    {
        _maxLength = maxLength;
        _rejected = rejected;
        Lanes = new DispatcherLane[lanes];
        for (var i = 0; i < lanes; i++)
        {
            Lanes[i] = new DispatcherLane();
        }
    }

    public DispatcherLane[] Lanes { get; }

    /// <summary>Texts waiting now.</summary>
    public int Count => Volatile.Read(ref _queued);

    public bool IsEmpty => _queue.IsEmpty;

    /// <summary>Queues <paramref name="count"/> texts from <paramref name="start"/> as one request, or refuses them all when the queue would overflow.</summary>
    public EncoderRequest Enqueue(int[][] tokenized, int start, int count, CancellationToken cancellationToken)
    {
        var queued = Interlocked.Add(ref _queued, count);
        if (queued > _maxLength)
        {
            Interlocked.Add(ref _queued, -count);
            _rejected(count);
            throw new EncoderOverloadedException(queued - count, _maxLength);
        }

        var request = new EncoderRequest(count, cancellationToken);
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            _queue.Enqueue(new PendingText(tokenized[start + i], request, i, now, Interlocked.Increment(ref _sequence)));
        }

        WakeOne();
        return request;
    }

    /// <summary>Moves waiting texts (up to <paramref name="limit"/> in all) into <paramref name="taken"/>, dropping those whose caller gave up.</summary>
    public int Take(List<PendingText> taken, int limit)
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

    /// <summary>Fails every waiting text with <paramref name="error"/> (at shutdown).</summary>
    public void FailAll(Exception error)
    {
        while (_queue.TryDequeue(out var pending))
        {
            Interlocked.Decrement(ref _queued);
            pending.Request.TrySetException(error);
        }
    }

    /// <summary>Sleeps until <see cref="WakeOne"/> picks <paramref name="lane"/>, the timeout passes or texts are already waiting.</summary>
    public void WaitForWork(DispatcherLane lane, TimeSpan timeout, CancellationToken stop)
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

    public void WakeOne()
    {
        foreach (var lane in Lanes)
        {
            if (Interlocked.CompareExchange(ref lane.Idle, 0, 1) == 1)
            {
                lane.Wake.Set();
                return;
            }
        }
    }

    /// <summary>Whether a lane other than <paramref name="self"/> has an inference run in flight.</summary>
    public bool AnyOtherRunning(DispatcherLane self)
    {
        foreach (var lane in Lanes)
        {
            if (lane != self && Volatile.Read(ref lane.Running) == 1)
            {
                return true;
            }
        }

        return false;
    }
}
