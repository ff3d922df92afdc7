namespace Marketing.Ml.Search;

/// <summary>
/// The words <see cref="LexicalIndex"/> matches on: lower-cased runs of letters and digits (accents kept, apostrophes
/// dropped so "jerry's" is "jerrys"), a plural "s" taken off longer words ("snacks" finds "snack"), and the few
/// function words every other product name has ("and", "with", "for") left out, so they neither match nor lengthen.
/// </summary>
public static class LexicalTerms
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "i", "if", "in", "into", "is", "it",
        "its", "me", "my", "of", "on", "or", "our", "so", "some", "that", "the", "their", "them", "there", "these",
        "this", "to", "we", "what", "when", "with", "you", "your",
    };

    /// <summary>The terms of <paramref name="text"/>, in order, repeats kept.</summary>
    public static IEnumerable<string> Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var word = new System.Text.StringBuilder();
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '’' && word.Length > 0)
            {
                // "Jerry's", "can't": one word.
            }
            else if (word.Length > 0)
            {
                var term = Stem(word.ToString());
                word.Clear();
                if (!StopWords.Contains(term))
                {
                    yield return term;
                }
            }
        }
    }

    /// <summary>A SKU (or a whole query that might be one) as one term: trimmed and lower-cased, nothing else.</summary>
    public static string Normalise(string sku)
    {
        ArgumentNullException.ThrowIfNull(sku);
        return "sku:" + sku.Trim().ToLowerInvariant();
    }

    /// <summary>Only the plural "s": anything stronger (Porter) turns brand names into other words.</summary>
    private static string Stem(string word) =>
        word.Length > 3 && word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i') ? word[..^1] : word;
}
