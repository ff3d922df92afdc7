using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Marketing.Cli.Reporting;

/// <summary>The line every benchmark and evaluation prints beside its table: cores, CPU model and vector features.</summary>
public static class MachineLine
{
    public static string Describe()
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

        if (AvxVnni.IsSupported)
        {
            features.Add("VNNI");
        }

        var vector = features.Count == 0 ? "no AVX2" : string.Join(", ", features);
        return $"Machine: {Environment.ProcessorCount} cores, {CpuModel()} ({vector}), {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
