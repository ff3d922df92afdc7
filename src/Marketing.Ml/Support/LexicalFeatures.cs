using System.Text;

namespace Marketing.Ml.Support;

/// <summary>
/// TF-IDF over word unigrams and bigrams and over character 3- to 5-grams inside words, learnt from a training set.
/// Beside the sentence embedding they carry what a mean-pooled MiniLM vector blurs: the exact words that tell two
/// near-identical support intents apart ("top up" failed vs. pending, "card" vs. "virtual card").
/// </summary>
public sealed class LexicalFeatures
{
    private readonly Dictionary<string, int> _vocabulary;
    private readonly float[] _idf;
    private readonly float _charWeight;

    private LexicalFeatures(Dictionary<string, int> vocabulary, float[] idf, float charWeight)
    {
        _vocabulary = vocabulary;
        _idf = idf;
        _charWeight = charWeight;
    }

    /// <summary>How many features a row can use (the vocabulary's size).</summary>
    public int Count => _idf.Length;

    /// <summary>
    /// Learns the vocabulary and inverse document frequencies of <paramref name="texts"/>, keeping n-grams seen in at
    /// least <paramref name="minDocuments"/> texts. <paramref name="charWeight"/> scales the character block against
    /// the word block (each is L2-normalised on its own).
    /// </summary>
    public static LexicalFeatures Fit(IReadOnlyList<string> texts, int minDocuments = 1, float charWeight = 1f)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in texts)
        {
            foreach (var gram in Grams(text).Distinct())
            {
                documentFrequency[gram] = documentFrequency.GetValueOrDefault(gram) + 1;
            }
        }

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var idf = new List<float>();
        foreach (var (gram, count) in documentFrequency.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            if (count >= minDocuments)
            {
                vocabulary[gram] = idf.Count;
                idf.Add(1f + MathF.Log((1f + texts.Count) / (1f + count)));
            }
        }

        return new LexicalFeatures(vocabulary, [.. idf], charWeight);
    }

    /// <summary>The text's TF-IDF features (indices from 0 to <see cref="Count"/>), unknown n-grams left out.</summary>
    public (int Index, float Value)[] Transform(string text)
    {
        var words = new Dictionary<int, float>();
        var chars = new Dictionary<int, float>();
        foreach (var gram in Grams(text))
        {
            if (_vocabulary.TryGetValue(gram, out var index))
            {
                var block = gram[0] == 'c' ? chars : words;
                block[index] = block.GetValueOrDefault(index) + 1f;
            }
        }

        return [.. Weigh(words, 1f), .. Weigh(chars, _charWeight)];
    }

    private IEnumerable<(int Index, float Value)> Weigh(Dictionary<int, float> counts, float blockWeight)
    {
        // Sublinear term frequency, then the block scaled to unit length: long texts do not outweigh short ones.
        var weighted = counts.Select(c => (Index: c.Key, Value: (1f + MathF.Log(c.Value)) * _idf[c.Key])).ToList();
        var norm = MathF.Sqrt(weighted.Sum(w => w.Value * w.Value));
        return norm == 0f ? [] : weighted.Select(w => (w.Index, blockWeight * w.Value / norm));
    }

    /// <summary>Word grams are prefixed "w", character grams "c", so the two never collide.</summary>
    internal static IEnumerable<string> Grams(string text)
    {
        var words = Words(text);
        for (var i = 0; i < words.Count; i++)
        {
            yield return "w" + words[i];
            if (i + 1 < words.Count)
            {
                yield return "w" + words[i] + " " + words[i + 1];
            }

            var padded = " " + words[i] + " ";
            for (var n = 3; n <= 5; n++)
            {
                for (var start = 0; start + n <= padded.Length; start++)
                {
                    yield return "c" + padded.Substring(start, n);
                }
            }
        }
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(c);
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
