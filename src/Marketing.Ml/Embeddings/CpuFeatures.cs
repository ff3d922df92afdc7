using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// The processor's model and the vector features that decide how fast the encoder's arithmetic runs: AVX2 and AVX-512
/// for floats, VNNI (the AVX-512 or the VEX-encoded form) for 8-bit integer dot products, and on Arm the dot-product
/// instructions. Read from <c>/proc/cpuinfo</c> where there is one, because that is what ONNX Runtime's own CPU probe
/// sees (.NET's <c>IsSupported</c> flags can be switched off by environment variables and do not name AVX-512 VNNI).
/// </summary>
public sealed record CpuFeatures(string Model, bool Avx2, bool Avx512, bool Avx512Vnni, bool AvxVnni, bool ArmDotProduct, bool Arm = false)
{
    private static readonly Lazy<CpuFeatures> Probed = new(Probe);

    /// <summary>This machine's processor (probed once).</summary>
    public static CpuFeatures Current => Probed.Value;

    /// <summary>8-bit integer dot products in one instruction: VNNI on x86 (either form), the dot-product extension on Arm.</summary>
    public bool Int8DotProduct => Avx512Vnni || AvxVnni || ArmDotProduct;

    /// <summary>One line for logs and benchmark tables, e.g. <c>AMD EPYC; AVX2 yes, AVX-512 yes, VNNI yes (AVX-512 VNNI, AVX-VNNI)</c>.</summary>
    public override string ToString()
    {
        if (Arm)
        {
            return $"{Model}; Arm dot product {YesNo(ArmDotProduct)}";
        }

        var vnni = (Avx512Vnni, AvxVnni) switch
        {
            (true, true) => "yes (AVX-512 VNNI, AVX-VNNI)",
            (true, false) => "yes (AVX-512 VNNI)",
            (false, true) => "yes (AVX-VNNI)",
            _ => "no",
        };
        return $"{Model}; AVX2 {YesNo(Avx2)}, AVX-512 {YesNo(Avx512)}, VNNI {vnni}";
    }

    /// <summary>The features named in a <c>/proc/cpuinfo</c> text (its first processor's <c>model name</c> and <c>flags</c> or <c>Features</c>).</summary>
    public static CpuFeatures FromCpuInfo(string cpuInfo)
    {
        ArgumentNullException.ThrowIfNull(cpuInfo);
        string? model = null;
        HashSet<string>? flags = null;
        foreach (var line in cpuInfo.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (model is null && key is "model name" or "Model" or "Hardware")
            {
                model = value;
            }
            else if (flags is null && key is "flags" or "Features")
            {
                flags = [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            }
        }

        flags ??= [];
        return new CpuFeatures(
            string.IsNullOrEmpty(model) ? RuntimeInformation.ProcessArchitecture.ToString() : model,
            Avx2: flags.Contains("avx2"),
            Avx512: flags.Contains("avx512f"),
            Avx512Vnni: flags.Contains("avx512_vnni"),
            AvxVnni: flags.Contains("avx_vnni"),
            ArmDotProduct: flags.Contains("asimddp"),
            Arm: flags.Contains("asimd"));
    }

    private static CpuFeatures Probe()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                return FromCpuInfo(File.ReadAllText("/proc/cpuinfo"));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        // No /proc/cpuinfo (Windows, macOS, a locked-down container): what .NET itself detects.
        return new CpuFeatures(
            RuntimeInformation.ProcessArchitecture.ToString(),
            System.Runtime.Intrinsics.X86.Avx2.IsSupported,
            Avx512F.IsSupported,
            Avx512Vnni: false,
            System.Runtime.Intrinsics.X86.AvxVnni.IsSupported,
            Dp.IsSupported,
            AdvSimd.IsSupported);
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
