using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Marketing.Cli.Reporting;

/// <summary>The line every benchmark table carries: CPU model, cores and the vector features the code may use.</summary>
public static class MachineDescription
{
    public static string CpuModel()
    {
        try
        {
            var line = File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                : null;
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    public static string VectorFeatures()
    {
        var features = new List<string>();
        if (Avx2.IsSupported)
        {
            features.Add("AVX2");
        }

        if (Avx512F.IsSupported)
        {
            features.Add("AVX-512");
        }

        if (AvxVnni.IsSupported || CpuFlags().Contains("avx512_vnni"))
        {
            features.Add("VNNI");
        }

        return features.Count == 0 ? "no AVX2" : string.Join(", ", features);
    }

    private static HashSet<string> CpuFlags()
    {
        try
        {
            var line = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) : null;
            return line is null ? [] : [.. line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        catch (IOException)
        {
            return [];
        }
    }

    public static string Line() => $"CPU: {CpuModel()}, {Environment.ProcessorCount} cores, {VectorFeatures()}";
}
