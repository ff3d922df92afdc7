using System.Numerics.Tensors;

namespace Marketing.Ml.Shoppers;

/// <summary>
/// A shopper's interest as a time-decayed weighted sum of the embeddings of what they touched:
/// <c>sum_i w_i * 2^(-(t - t_i) / halfLife) * v_i</c>. Only its direction matters (cosine against products), so it is
/// kept unnormalised, as of the newest event folded in, and any event, early or late, is one fused multiply-add:
/// newer events scale the sum down first, late ones are added already decayed. The order events arrive in does not
/// change the result, which is what lets a replay after a crash rebuild the same vector.
/// </summary>
public static class InterestEmbedding
{
    /// <summary>Beyond this many half-lives the old sum is below float precision next to a new event: start afresh.</summary>
    private const double ForgetAfterHalfLives = 60;

    /// <summary>
    /// Adds <paramref name="vector"/> with <paramref name="weight"/> for an event at <paramref name="at"/> to the sum in
    /// <paramref name="sum"/> (as of <paramref name="asOf"/>, which moves forward to a newer event's time).
    /// </summary>
    public static void Fold(Span<float> sum, ref DateTimeOffset asOf, ReadOnlySpan<float> vector, float weight, DateTimeOffset at, TimeSpan halfLife)
    {
        if (vector.Length != sum.Length)
        {
            throw new ArgumentException($"Vector has {vector.Length} dimensions; the interest has {sum.Length}.", nameof(vector));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(halfLife, TimeSpan.Zero);
        if (at > asOf)
        {
            var halfLives = (at - asOf) / halfLife;
            if (halfLives > ForgetAfterHalfLives)
            {
                sum.Clear();
            }
            else
            {
                TensorPrimitives.Multiply(sum, (float)Math.Pow(2, -halfLives), sum);
            }

            asOf = at;
            TensorPrimitives.MultiplyAdd(vector, weight, sum, sum);
        }
        else
        {
            var halfLives = (asOf - at) / halfLife;
            if (halfLives <= ForgetAfterHalfLives)
            {
                TensorPrimitives.MultiplyAdd(vector, (float)(weight * Math.Pow(2, -halfLives)), sum, sum);
            }
        }
    }

    /// <summary>The unit-length direction of <paramref name="sum"/>, or null when it is (numerically) zero.</summary>
    public static float[]? Direction(ReadOnlySpan<float> sum)
    {
        var norm = TensorPrimitives.Norm(sum);
        if (!(norm > 1e-12f))
        {
            return null;
        }

        var unit = new float[sum.Length];
        TensorPrimitives.Divide(sum, norm, unit);
        return unit;
    }
}
