using MathNet.Numerics.LinearAlgebra;

namespace Marketing.Ml.Recommendations.Algebra;

/// <summary>
/// Dense symmetric solves for the closed-form models, on the system's OpenBLAS when it loads and on MathNet's managed
/// code otherwise (the same answers; about two orders of magnitude slower at 12,000 items, fine at a few thousand).
/// Square n × n matrices are flat row-major arrays; the symmetric ones read the same either way.
/// </summary>
public sealed class DenseAlgebra
{
    private static readonly Lazy<OpenBlasLapack?> Native = new(OpenBlasLapack.TryLoad);

    private readonly OpenBlasLapack? _native;

    private readonly string _managedNote;

    private DenseAlgebra(OpenBlasLapack? native, string managedNote)
    {
        _native = native;
        _managedNote = managedNote;
    }

    /// <summary>OpenBLAS where it loads, else managed.</summary>
    public static DenseAlgebra Default { get; } = new(Native.Value, " (no OpenBLAS found: apt-get install libopenblas0)");

    public static DenseAlgebra Managed { get; } = new(null, "");

    public bool IsNative => _native is not null;

    public string Description => _native?.Description ?? "MathNet.Numerics managed" + _managedNote;

    /// <summary>Replaces a symmetric positive-definite matrix by its inverse.</summary>
    public void InvertSymmetric(float[] a, int n)
    {
        CheckSize(a, n);
        if (_native is not null)
        {
            _native.Factor(a, n);
            _native.InvertFactored(a, n);
            MirrorLowerColumnMajor(a, n);
            return;
        }

        var inverse = Matrix<float>.Build.Dense(n, n, a).Cholesky().Solve(Matrix<float>.Build.DenseIdentity(n));
        inverse.AsColumnMajorArray().CopyTo(a, 0);
    }

    /// <summary>Replaces <paramref name="b"/> by A⁻¹ B for a symmetric positive-definite A (which is overwritten).</summary>
    public void SolveSymmetric(float[] a, float[] b, int n)
    {
        CheckSize(a, n);
        CheckSize(b, n);

        // LAPACK and MathNet read column-major, so B goes in transposed and the answer comes back transposed.
        Transpose(b, n);
        if (_native is not null)
        {
            _native.Factor(a, n);
            _native.SolveFactored(a, b, n);
        }
        else
        {
            var x = Matrix<float>.Build.Dense(n, n, a).Cholesky().Solve(Matrix<float>.Build.Dense(n, n, b));
            x.AsColumnMajorArray().CopyTo(b, 0);
        }

        Transpose(b, n);
    }

    private static void CheckSize(float[] a, int n)
    {
        if ((long)n * n != a.LongLength)
        {
            throw new ArgumentException($"expected {n} × {n} values, got {a.LongLength}", nameof(a));
        }
    }

    // LAPACK's lower triangle in column-major is the upper one in row-major: copy it across the diagonal.
    private static void MirrorLowerColumnMajor(float[] a, int n) =>
        Parallel.For(0, n, i =>
        {
            for (var j = 0; j < i; j++)
            {
                a[(long)i * n + j] = a[(long)j * n + i];
            }
        });

    private static void Transpose(float[] a, int n) =>
        Parallel.For(0, n, i =>
        {
            for (var j = i + 1; j < n; j++)
            {
                (a[(long)i * n + j], a[(long)j * n + i]) = (a[(long)j * n + i], a[(long)i * n + j]);
            }
        });
}
