using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

/// <summary>
/// The id every stored vector carries: the same model files give the same id wherever they lie, and any change to the
/// weights gives another, even when the vectors keep their length (which is all the index could tell before).
/// </summary>
[Collection(EncoderCollection.Name)]
public sealed class TextModelIdTests(EncoderFixture fixture) : IDisposable
{
    private static readonly EncoderOptions Defaults = new();

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("model-id-");

    [Fact]
    public void The_default_model_is_named_with_its_weights_hash_length_pooling_and_tokenizer()
    {
        var id = fixture.Encoder.Model;

        Assert.Equal("all-MiniLM-L6-v2", id.Name);
        Assert.Matches("^[0-9a-f]{12}$", id.Weights);
        Assert.Equal(384, id.Dimensions);
        Assert.Equal(TextModelId.MeanPooling, id.Pooling);
        Assert.Matches("^[0-9a-f]{8}-uncased-256$", id.Tokenizer);
        Assert.Equal($"all-MiniLM-L6-v2@{id.Weights}/384d/mean/{id.Tokenizer}", id.ToString());
    }

    [Fact]
    public void The_same_weights_in_another_folder_make_the_same_id()
    {
        var copy = CopyModel("minilm-copy", flipByteAt: null);

        var id = TextModelId.OfFiles(copy, Resolve(Defaults.VocabPath), lowerCase: true, maxTokens: 256, dimensions: 384, TextModelId.MeanPooling);

        Assert.Equal("minilm-copy", id.Name);
        Assert.Equal(fixture.Encoder.Model, id);
    }

    [Fact]
    public void One_changed_byte_in_the_weights_makes_another_id_though_the_dimensions_stay()
    {
        var changed = CopyModel("all-MiniLM-L6-v2", flipByteAt: new FileInfo(Resolve(Defaults.ModelPath)).Length / 2);
        using var encoder = new OnnxTextEncoder(Options.Create(new EncoderOptions
        {
            ModelPath = changed,
            ExecutionProvider = ExecutionProviderPreference.Cpu,
            Precision = EncoderPrecision.Float32,
        }));

        Assert.Equal(fixture.Encoder.Dimensions, encoder.Dimensions);
        Assert.NotEqual(fixture.Encoder.Model, encoder.Model);
        Assert.NotEqual(fixture.Encoder.Model.Weights, encoder.Model.Weights);
        Assert.Equal(fixture.Encoder.Model with { Weights = encoder.Model.Weights }, encoder.Model);
    }

    [Fact]
    public void Casing_and_the_token_limit_change_the_id_since_they_change_the_vectors()
    {
        var model = Resolve(Defaults.ModelPath);
        var vocab = Resolve(Defaults.VocabPath);

        var cased = TextModelId.OfFiles(model, vocab, lowerCase: false, maxTokens: 256, dimensions: 384, TextModelId.MeanPooling);
        var shorter = TextModelId.OfFiles(model, vocab, lowerCase: true, maxTokens: 128, dimensions: 384, TextModelId.MeanPooling);

        Assert.NotEqual(fixture.Encoder.Model, cased);
        Assert.NotEqual(fixture.Encoder.Model, shorter);
        Assert.Equal(fixture.Encoder.Model.Weights, cased.Weights);
    }

    public void Dispose() => _temp.Delete(recursive: true);

    private static string Resolve(string path) => Path.Combine(AppContext.BaseDirectory, path);

    /// <summary>Copies the default model file into a folder of its own, with one byte's lowest bit flipped if asked.</summary>
    private string CopyModel(string folder, long? flipByteAt)
    {
        var target = Path.Combine(_temp.CreateSubdirectory(folder).FullName, "model.onnx");
        File.Copy(Resolve(Defaults.ModelPath), target);
        if (flipByteAt is { } at)
        {
            // The middle of the file lies in a weight matrix's raw floats: the model still loads and keeps its shape.
            using var file = File.Open(target, FileMode.Open, FileAccess.ReadWrite);
            file.Position = at;
            var value = file.ReadByte();
            file.Position = at;
            file.WriteByte((byte)(value ^ 1));
        }

        return target;
    }
}
