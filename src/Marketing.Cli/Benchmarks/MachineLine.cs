using System.Runtime.InteropServices;

namespace Marketing.Cli.Benchmarks;

/// <summary>
/// The line every benchmark table prints beside it: cores, CPU model and its vector features (AVX2, AVX-512, VNNI),
/// since the encoder's speed, and which precision wins, depend on them.
/// </summary>
public static class MachineLine
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {CpuModel()}, vector features: {Features()}; {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    private static string CpuModel() => CpuInfoField("model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string Features()
    {
        var flags = (CpuInfoField("flags") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        if (flags.Count == 0)
        {
            return "unknown (no /proc/cpuinfo)";
        }

        var named = new[] { ("avx2", "AVX2"), ("avx512f", "AVX-512"), ("avx512_vnni", "AVX-512 VNNI"), ("avx_vnni", "AVX-VNNI") }
            .Where(f => flags.Contains(f.Item1))
            .Select(f => f.Item2)
            .ToList();
        return named.Count > 0 ? string.Join(", ", named) : "none of AVX2, AVX-512, VNNI";
    }

    private static string? CpuInfoField(string name)
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
