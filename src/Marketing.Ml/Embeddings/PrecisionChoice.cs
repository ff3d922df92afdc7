namespace Marketing.Ml.Embeddings;

/// <summary>
/// The arithmetic the CPU provider runs the encoder's weight matrices in, and why. With
/// <see cref="EncoderPrecision.Auto"/> it follows the processor: 8-bit weights where the cores multiply 8-bit integers
/// in one instruction (VNNI, or Arm's dot product), the model's floats elsewhere. Measured: with AVX-512 VNNI (AMD EPYC,
/// Zen 4) 8-bit weights gave 20 % more sentences a second and a lone request a third faster; with AVX2 alone (AMD EPYC)
/// they cost a third of the throughput (348 sentences a second against 496 in floats).
/// </summary>
public sealed record PrecisionChoice(EncoderPrecision Precision, string Reason)
{
    /// <summary>What <paramref name="configured"/> (<c>Encoder:Precision</c>) comes to on <paramref name="cpu"/>.</summary>
    public static PrecisionChoice For(EncoderPrecision configured, CpuFeatures cpu)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return configured switch
        {
            EncoderPrecision.Int8 or EncoderPrecision.Float32 => new(configured, $"Encoder:Precision is {configured}"),
            _ when cpu.Avx512Vnni || cpu.AvxVnni => new(EncoderPrecision.Int8, $"Auto: the CPU has {(cpu.Avx512Vnni ? "AVX-512 VNNI" : "AVX-VNNI")}, which multiplies 8-bit integers faster than floats"),
            _ when cpu.ArmDotProduct => new(EncoderPrecision.Int8, "Auto: the CPU has Arm's 8-bit dot product, which multiplies 8-bit integers faster than floats"),
            _ => new(EncoderPrecision.Float32, $"Auto: the CPU has no VNNI ({(cpu.Avx512 ? "AVX-512" : cpu.Avx2 ? "AVX2" : "no AVX2")} only), where 8-bit weights are slower than floats"),
        };
    }

    /// <summary>On CUDA the model always runs as given.</summary>
    public static PrecisionChoice OnCuda { get; } = new(EncoderPrecision.Float32, "CUDA runs the model's own floats");

    /// <summary>The model has no weight matrix to quantize, so 8-bit was not possible.</summary>
    public PrecisionChoice NothingToQuantize() => new(EncoderPrecision.Float32, $"{Reason}, but the model has no weight matrix to quantize");

    public override string ToString() => $"{Precision} ({Reason})";
}
