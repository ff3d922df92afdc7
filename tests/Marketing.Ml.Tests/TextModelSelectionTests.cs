using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

/// <summary><c>Encoder:Model</c> picks a bundled model, and with it the pooling, query prefix and model id its vectors carry.</summary>
[Collection(EncoderCollection.Name)]
public sealed class TextModelSelectionTests(EncoderFixture fixture)
{
    [Fact]
    public void ArcticXs_chosen_by_configuration_runs_with_its_own_pooling_prefix_and_model_id()
    {
        var options = Bind(new() { ["Encoder:Model"] = "ArcticXs", ["Encoder:ExecutionProvider"] = "Cpu" });
        using var arctic = new OnnxTextEncoder(Options.Create(options));

        Assert.Equal(EncoderPooling.Cls, options.EffectivePooling);
        Assert.StartsWith("Represent this sentence", options.EffectiveQueryPrefix, StringComparison.Ordinal);
        Assert.Equal("snowflake-arctic-embed-xs", arctic.Model.Name);
        Assert.Equal(TextModelId.ClsPooling, arctic.Model.Pooling);
        Assert.NotEqual(fixture.Encoder.Model, arctic.Model);
        Assert.Equal(TextModelId.MeanPooling, fixture.Encoder.Model.Pooling);
    }

    [Fact]
    public async Task The_bundled_defaults_can_be_overridden_one_by_one()
    {
        var options = Bind(new() { ["Encoder:Model"] = "ArcticXs", ["Encoder:Pooling"] = "Mean", ["Encoder:QueryPrefix"] = "", ["Encoder:ExecutionProvider"] = "Cpu" });
        using var meanArctic = new OnnxTextEncoder(Options.Create(options));
        using var clsArctic = new OnnxTextEncoder(Options.Create(new EncoderOptions { Model = TextModel.ArcticXs, ExecutionProvider = ExecutionProviderPreference.Cpu }));

        Assert.Equal("", options.EffectiveQueryPrefix);
        Assert.Equal(TextModelId.MeanPooling, meanArctic.Model.Pooling);
        Assert.NotEqual(clsArctic.Model, meanArctic.Model);
        var mean = await meanArctic.EncodeAsync("organic bananas");
        var cls = await clsArctic.EncodeAsync("organic bananas");
        Assert.True(mean.Zip(cls).Sum(p => p.First * p.Second) < 0.999f, "another pooling makes another vector");
    }

    private static EncoderOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new EncoderOptions();
        configuration.GetSection(EncoderOptions.SectionName).Bind(options);
        return options;
    }
}
