namespace Marketing.Ml.Embeddings;

/// <summary>
/// The encoder's queue is full: the caller should back off and retry later (or shed the work) rather than wait,
/// so that a burst cannot grow memory without bound.
/// </summary>
public sealed class EncoderOverloadedException : Exception
{
    public EncoderOverloadedException()
        : this("The text encoder is overloaded.")
    {
    }

    public EncoderOverloadedException(string message)
        : base(message)
    {
    }

    public EncoderOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EncoderOverloadedException(int queued, int maxQueueLength)
        : base($"The text encoder is overloaded: {queued} texts are waiting (Encoder:MaxQueueLength is {maxQueueLength}). Retry later.")
    {
        Queued = queued;
        MaxQueueLength = maxQueueLength;
    }

    /// <summary>Texts that were waiting when this request was refused.</summary>
    public int Queued { get; }

    public int MaxQueueLength { get; }
}
