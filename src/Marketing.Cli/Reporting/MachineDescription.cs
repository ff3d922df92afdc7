using Marketing.Ml.Embeddings;

namespace Marketing.Cli.Reporting;

/// <summary>
/// The line every benchmark and evaluation table carries: CPU model, cores and vector features, as
/// <see cref="CpuFeatures"/> reads them (the same probe the encoder's precision choice uses).
/// </summary>
public static class MachineDescription
{
    public static string CpuModel() => CpuFeatures.Current.Model;

    /// <summary>The x86 vector features the code may use, e.g. <c>AVX2, AVX-512, VNNI</c>; on Arm its dot-product extension.</summary>
    public static string VectorFeatures()
    {
        var cpu = CpuFeatures.Current;
        if (cpu.Arm)
        {
            return cpu.ArmDotProduct ? "Arm dot product" : "no dot product";
        }

        List<string> features = [];
        if (cpu.Avx2)
        {
            features.Add("AVX2");
        }

        if (cpu.Avx512)
        {
            features.Add("AVX-512");
        }

        if (cpu.Avx512Vnni || cpu.AvxVnni)
        {
            features.Add("VNNI");
        }

        return features.Count == 0 ? "no AVX2" : string.Join(", ", features);
    }

    public static string Line() => $"CPU: {CpuModel()}, {Environment.ProcessorCount} cores, {VectorFeatures()}";
}
