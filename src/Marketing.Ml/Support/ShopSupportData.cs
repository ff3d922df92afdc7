namespace Marketing.Ml.Support;

/// <summary>
/// The shop's own labelled utterances, written for this project and shipped inside the assembly: the intents a
/// shopper's message can have (<c>shop-intents.csv</c>) and the sentiment of support messages
/// (<c>shop-sentiment.csv</c>). The classifiers are trained on them at start, in a second or two.
/// </summary>
public static class ShopSupportData
{
    /// <summary>The intent a message gets when it is about nothing the shop can help with.</summary>
    public const string OutOfScopeIntent = "out_of_scope";

    public static IReadOnlyList<LabelledText> Intents() => Read("shop-intents.csv");

    public static IReadOnlyList<LabelledText> Sentiment() => Read("shop-sentiment.csv");

    /// <summary>Parses <c>text,label</c> lines after a header; the label is after the last comma, so texts may hold commas.</summary>
    public static List<LabelledText> Parse(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var examples = new List<LabelledText>();
        _ = reader.ReadLine();
        while (reader.ReadLine() is { } line)
        {
            var comma = line.LastIndexOf(',');
            if (comma > 0)
            {
                examples.Add(new LabelledText(line[..comma].Trim().Trim('"'), line[(comma + 1)..].Trim()));
            }
        }

        return examples;
    }

    private static List<LabelledText> Read(string name)
    {
        using var stream = typeof(ShopSupportData).Assembly.GetManifestResourceStream($"Marketing.Ml.Support.{name}")
            ?? throw new InvalidOperationException($"The resource {name} is missing from {typeof(ShopSupportData).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
