using System.Runtime.InteropServices;

namespace Marketing.Ml.Recommendations.Algebra;

/// <summary>
/// The few LAPACK routines the closed-form models need, called straight in the system's OpenBLAS (Debian's
/// <c>libopenblas0</c>). MathNet's own OpenBLAS provider cannot be used on Linux: it calls a wrapper library
/// (<c>libMathNetNumericsOpenBLAS</c>) that no package ships for Linux. Matrices are column-major, as LAPACK sees them.
/// </summary>
internal sealed class OpenBlasLapack
{
    private static readonly string[] Candidates =
        ["libopenblas.so.0", "libopenblas.so", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0", "libopenblas.dylib", "libopenblas.dll"];

    private readonly Potrf _potrf;
    private readonly Potri _potri;
    private readonly Potrs _potrs;

    private OpenBlasLapack(nint library, string name)
    {
        _potrf = Marshal.GetDelegateForFunctionPointer<Potrf>(NativeLibrary.GetExport(library, "spotrf_"));
        _potri = Marshal.GetDelegateForFunctionPointer<Potri>(NativeLibrary.GetExport(library, "spotri_"));
        _potrs = Marshal.GetDelegateForFunctionPointer<Potrs>(NativeLibrary.GetExport(library, "spotrs_"));
        var coreName = NativeLibrary.TryGetExport(library, "openblas_get_corename", out var core)
            ? Marshal.PtrToStringAnsi(Marshal.GetDelegateForFunctionPointer<CoreName>(core)())
            : null;
        Description = $"OpenBLAS ({name}{(coreName is null ? "" : $", {coreName} kernels")})";
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Potrf(ref byte uplo, ref int n, float[] a, ref int lda, out int info);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Potri(ref byte uplo, ref int n, float[] a, ref int lda, out int info);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void Potrs(ref byte uplo, ref int n, ref int nrhs, float[] a, ref int lda, float[] b, ref int ldb, out int info);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate nint CoreName();

    public string Description { get; }

    public static OpenBlasLapack? TryLoad()
    {
        foreach (var name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, out var library))
            {
                if (NativeLibrary.TryGetExport(library, "spotrf_", out _) && NativeLibrary.TryGetExport(library, "spotrs_", out _))
                {
                    return new OpenBlasLapack(library, name);
                }

                NativeLibrary.Free(library);
            }
        }

        return null;
    }

    /// <summary>Cholesky factor of a symmetric positive-definite matrix, in place (lower triangle).</summary>
    public void Factor(float[] a, int n)
    {
        byte lower = (byte)'L';
        _potrf(ref lower, ref n, a, ref n, out var info);
        Check("spotrf", info);
    }

    /// <summary>The inverse from <see cref="Factor"/>'s factor, in place, lower triangle only.</summary>
    public void InvertFactored(float[] a, int n)
    {
        byte lower = (byte)'L';
        _potri(ref lower, ref n, a, ref n, out var info);
        Check("spotri", info);
    }

    /// <summary>Solves A X = B for every column of <paramref name="b"/> with <see cref="Factor"/>'s factor of A.</summary>
    public void SolveFactored(float[] a, float[] b, int n)
    {
        byte lower = (byte)'L';
        _potrs(ref lower, ref n, ref n, a, ref n, b, ref n, out var info);
        Check("spotrs", info);
    }

    private static void Check(string routine, int info)
    {
        if (info != 0)
        {
            throw new InvalidOperationException(info > 0
                ? $"{routine}: the matrix is not positive definite (leading minor {info}); raise the regularisation"
                : $"{routine}: argument {-info} was invalid");
        }
    }
}
