namespace Marketing.Ml.Embeddings;

/// <summary>Turns text into a fixed-length, L2-normalised embedding (so a dot product is the cosine similarity).</summary>
public interface ITextEncoder
{
    /// <summary>Length of every vector this encoder returns.</summary>
    int Dimensions { get; }

    /// <summary>
    /// The model behind every vector this encoder returns. Stored vectors carry it, so that a vector of another model
    /// is recognised as such (and made again) instead of being compared with this one's.
    /// </summary>
    TextModelId Model { get; }

    /// <summary>Embeds one text. Empty or whitespace-only text is rejected with <see cref="ArgumentException"/>.</summary>
    ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>Embeds many texts; the result has one vector per text, in the same order.</summary>
    Task<float[][]> EncodeBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default);
}
