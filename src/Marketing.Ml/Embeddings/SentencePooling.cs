using System.Numerics.Tensors;

namespace Marketing.Ml.Embeddings;

/// <summary>From the model's token states to one sentence vector: the mean over the real tokens, then unit length.</summary>
internal static class SentencePooling
{
    /// <summary>Mean of the token states of one text; padding sits after its real tokens, so those are the first rows.</summary>
    public static void MeanOverTokens(ReadOnlySpan<float> tokenStates, Span<float> destination)
    {
        var hidden = destination.Length;
        var tokens = tokenStates.Length / hidden;
        tokenStates[..hidden].CopyTo(destination);
        for (var t = 1; t < tokens; t++)
        {
            TensorPrimitives.Add(destination, tokenStates.Slice(t * hidden, hidden), destination);
        }

        TensorPrimitives.Multiply(destination, 1f / tokens, destination);
    }

    /// <summary>Scales to unit length so that a dot product is the cosine similarity.</summary>
    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector);
    }
}
