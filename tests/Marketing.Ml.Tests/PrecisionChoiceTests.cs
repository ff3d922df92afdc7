using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

/// <summary><c>Encoder:Precision=Auto</c> picks 8-bit weights where the CPU multiplies 8-bit integers fast (VNNI), floats elsewhere.</summary>
public sealed class PrecisionChoiceTests
{
    /// <summary>The 2-core AMD EPYC: AVX2, no AVX-512, no VNNI (Int8 cost a third of the throughput there).</summary>
    internal const string Avx2Only = """
        processor	: 0
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC 7B12
        flags		: fpu vme de pse tsc msr pae mce cx8 apic sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm rep_good nopl xtopology nonstop_tsc cpuid pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm cmp_legacy cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw topoext ssbd ibrs ibpb stibp vmmcall fsgsbase tsc_adjust bmi1 avx2 smep bmi2 rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 clzero xsaveerptr arat npt nrip_save umip rdpid
        """;

    /// <summary>This project's AMD EPYC (Zen 4) with AVX-512 and VNNI, where Int8 was faster.</summary>
    internal const string Avx512Vnni = """
        processor	: 0
        vendor_id	: AuthenticAMD
        model name	: AMD EPYC
        flags		: fpu vme de pse tsc msr sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 bmi2 avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx_vnni avx512_bf16 avx512vbmi avx512_vbmi2 avx512_vnni avx512_bitalg avx512_vpopcntdq
        """;

    private const string Avx512WithoutVnni = "model name : Intel(R) Xeon(R) Platinum 8175M\nflags : sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n";

    private const string AvxVnniWithoutAvx512 = "model name : 12th Gen Intel(R) Core(TM) i7-12700\nflags : sse2 avx avx2 fma avx_vnni\n";

    private const string ArmWithDotProduct = "processor : 0\nFeatures : fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\n";

    [Theory]
    [InlineData(Avx2Only, EncoderPrecision.Float32)]
    [InlineData(Avx512WithoutVnni, EncoderPrecision.Float32)]
    [InlineData(Avx512Vnni, EncoderPrecision.Int8)]
    [InlineData(AvxVnniWithoutAvx512, EncoderPrecision.Int8)]
    [InlineData(ArmWithDotProduct, EncoderPrecision.Int8)]
    public void Auto_follows_the_processors_8_bit_dot_product(string cpuInfo, EncoderPrecision expected)
    {
        var choice = PrecisionChoice.For(EncoderPrecision.Auto, CpuFeatures.FromCpuInfo(cpuInfo));

        Assert.Equal(expected, choice.Precision);
        Assert.StartsWith("Auto:", choice.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Avx2Only, EncoderPrecision.Int8)]
    [InlineData(Avx512Vnni, EncoderPrecision.Float32)]
    public void A_precision_set_by_name_is_kept_on_any_processor(string cpuInfo, EncoderPrecision configured)
    {
        var choice = PrecisionChoice.For(configured, CpuFeatures.FromCpuInfo(cpuInfo));

        Assert.Equal(configured, choice.Precision);
        Assert.Contains("Encoder:Precision", choice.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cpu_line_names_the_model_and_its_vector_features()
    {
        Assert.Equal("AMD EPYC 7B12; AVX2 yes, AVX-512 no, VNNI no", CpuFeatures.FromCpuInfo(Avx2Only).ToString());
        Assert.Equal("AMD EPYC; AVX2 yes, AVX-512 yes, VNNI yes (AVX-512 VNNI, AVX-VNNI)", CpuFeatures.FromCpuInfo(Avx512Vnni).ToString());
        Assert.Contains("Arm dot product yes", CpuFeatures.FromCpuInfo(ArmWithDotProduct).ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Avx2Only, EncoderPrecision.Float32)]
    [InlineData(Avx512Vnni, EncoderPrecision.Int8)]
    public void The_encoder_runs_in_the_precision_auto_chose_and_says_why(string cpuInfo, EncoderPrecision expected)
    {
        var options = new EncoderOptions { ExecutionProvider = ExecutionProviderPreference.Cpu };
        Assert.Equal(EncoderPrecision.Auto, options.Precision);

        using var encoder = new OnnxTextEncoder(Options.Create(options), CpuFeatures.FromCpuInfo(cpuInfo));

        Assert.Equal(expected, encoder.Precision);
        Assert.Contains(expected == EncoderPrecision.Int8 ? "VNNI" : "no VNNI", encoder.PrecisionReason, StringComparison.Ordinal);
    }
}
