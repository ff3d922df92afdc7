using Marketing.Abstractions.Search;
using Marketing.Ml.Embeddings;

namespace Marketing.Grains.Search;

/// <summary>
/// The model of the silo's encoder, as stored vectors name it: what a product, a shard or a shopper's interest compares
/// its vectors' model with. Read once from the encoder, which hashed the weights at start.
/// </summary>
public sealed class CurrentEmbeddingModel(ITextEncoder encoder)
{
    public EmbeddingModelId Id { get; } = From(encoder.Model);

    public static EmbeddingModelId From(TextModelId model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new(model.Name, model.Weights, model.Dimensions, model.Pooling, model.Tokenizer);
    }
}
