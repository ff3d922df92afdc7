using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Marketing.Ml.Search;

/// <summary>
/// 8-bit copies of unit vectors for the first, approximate pass of a search: a quarter of the memory of floats, so a
/// scan over tens of thousands of products is bound by arithmetic rather than memory bandwidth.
/// </summary>
internal static class Int8Dot
{
    /// <summary>Writes <paramref name="vector"/> as codes in [-127, 127] and returns the scale that turns codes back into values.</summary>
    public static float Quantize(ReadOnlySpan<float> vector, Span<sbyte> codes)
    {
        var max = TensorPrimitives.MaxMagnitude(vector);
        if (max == 0 || !float.IsFinite(max))
        {
            codes.Clear();
            return 0;
        }

        var toCode = 127f / Math.Abs(max);
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = (sbyte)MathF.Round(vector[i] * toCode);
        }

        return Math.Abs(max) / 127f;
    }

    /// <summary>The query's codes widened to 16 bits once, so each row costs one widening instead of two.</summary>
    public static short[] Widen(ReadOnlySpan<sbyte> codes)
    {
        var wide = new short[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            wide[i] = codes[i];
        }

        return wide;
    }

    /// <summary>Σ a[i]·q[i] in exact integer arithmetic (products of two 8-bit codes never overflow a 32-bit sum here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<short> q)
    {
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pq = ref MemoryMarshal.GetReference(q);
        var length = a.Length;
        var i = 0;
        var sum = 0;
        if (Avx512BW.IsSupported && length >= 32)
        {
            var acc = Vector512<int>.Zero;
            for (; i <= length - 32; i += 32)
            {
                var wide = Avx512BW.ConvertToVector512Int16(Vector256.LoadUnsafe(ref pa, (nuint)i));
                acc = Avx512F.Add(acc, Avx512BW.MultiplyAddAdjacent(wide, Vector512.LoadUnsafe(ref pq, (nuint)i)));
            }

            sum = Vector512.Sum(acc);
        }
        else if (Avx2.IsSupported && length >= 16)
        {
            var acc = Vector256<int>.Zero;
            for (; i <= length - 16; i += 16)
            {
                var wide = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref pa, (nuint)i));
                acc = Avx2.Add(acc, Avx2.MultiplyAddAdjacent(wide, Vector256.LoadUnsafe(ref pq, (nuint)i)));
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pq, i);
        }

        return sum;
    }
}
