using System.Diagnostics.Metrics;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

/// <summary>
/// One all-MiniLM-L6-v2 session for every test that needs it (loading it takes a second and 90 MB), in 8-bit weights
/// whatever this machine's CPU would choose, so the tests of that arithmetic hold on every machine.
/// </summary>
public sealed class EncoderFixture : IDisposable
{
    public EncoderFixture()
    {
        Encoder = new OnnxTextEncoder(Options.Create(new EncoderOptions { ExecutionProvider = ExecutionProviderPreference.Cpu, Precision = EncoderPrecision.Int8 }));
    }

    public OnnxTextEncoder Encoder { get; }

    public void Dispose() => Encoder.Dispose();
}

/// <summary>Encoder tests share one session and run one after another: the machine has few cores.</summary>
[CollectionDefinition(Name)]
public sealed class EncoderCollection : ICollectionFixture<EncoderFixture>
{
    public const string Name = "encoder";
}

internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}

internal static class VectorAssert
{
    public static float Cosine(float[] a, float[] b) =>
        System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(a, b);
}
