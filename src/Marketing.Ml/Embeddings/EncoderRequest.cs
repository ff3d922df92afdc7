namespace Marketing.Ml.Embeddings;

/// <summary>One caller's texts in the batcher's queue; completes when every one of them has its vector.</summary>
internal sealed class EncoderRequest : TaskCompletionSource<float[][]>
{
    private readonly float[][] _vectors;
    private readonly CancellationTokenRegistration _cancellation;
    private int _remaining;

    public EncoderRequest(int count, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _vectors = new float[count][];
        _remaining = count;
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.Register(static state =>
            {
                var (request, token) = ((EncoderRequest, CancellationToken))state!;
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

/// <summary>One text waiting for inference: its token ids, whose it is, where its vector goes, and when it was queued.</summary>
internal readonly record struct PendingText(int[] Ids, EncoderRequest Request, int Index, long EnqueuedAt, long Sequence);

/// <summary>
/// One dispatcher (its thread is the batcher's) and the signal that wakes it; <see cref="Idle"/> is 1 while it may be woken, <see cref="Running"/>
/// 1 while its inference run is in flight.
/// </summary>
internal sealed class DispatcherLane
{
    public readonly ManualResetEventSlim Wake = new(false);
    public int Idle;
    public int Running;
}
