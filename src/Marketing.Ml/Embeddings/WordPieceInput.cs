using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// Turns text into the token ids a BERT-style model reads: [CLS] word pieces [SEP], truncated to the model's limit.
/// The basic (pre-WordPiece) step is done here, the way the original BERT tokenizer does it: Microsoft.ML.Tokenizers'
/// own basic step drops symbols such as '+' and '®', which the model was trained to see, and moves vectors visibly.
/// </summary>
internal sealed class WordPieceInput
{
    private const int LatinAccentsFirst = 0xC0;

    // U+00C0..U+024F without their accents (what canonical decomposition leaves once the marks are dropped); '.' = no accent.
    private const string LatinAccents =
        "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y" +
        "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI...JjKk.LlLlLl." +
        "...NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZz." +
        "................................Oo.............Uu..............." +
        ".............AaIiOoUuUuUuUuUu.AaAa....GgKkOoOo..j...Gg..NnAa...." +
        "AaAaEeEeIiIiOoOoRrRrUuUuSsTt..Hh......AaEeOoOoOoOoYy............" +
        "................";

    private readonly BertTokenizer _tokenizer;
    private readonly bool _lowerCase;

    public WordPieceInput(string vocabPath, bool lowerCase, int maxTokens)
    {
        _tokenizer = BertTokenizer.Create(vocabPath, new BertOptions
        {
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
        });
        _lowerCase = lowerCase;
        MaxTokens = maxTokens;
    }

    public int MaxTokens { get; }

    public int PaddingId => _tokenizer.PaddingTokenId;

    /// <summary>Token ids of <paramref name="text"/>, special tokens included; never longer than <see cref="MaxTokens"/>.</summary>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("Text to embed must contain at least one non-whitespace character.", nameof(text));
        }

        var words = SplitWords(text, _lowerCase);
        var ids = _tokenizer.EncodeToIds(words, MaxTokens, addSpecialTokens: true, out _, out _);
        if (ids.Count <= MaxTokens && ids.Count >= 2 && ids[^1] == _tokenizer.SeparatorTokenId)
        {
            return [.. ids];
        }

        // Truncated without its closing [SEP] (or longer than asked): keep the first pieces and close the sequence.
        var count = Math.Min(ids.Count, MaxTokens - 1);
        var result = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            result[i] = ids[i];
        }

        result[count] = _tokenizer.SeparatorTokenId;
        return result;
    }

    /// <summary>
    /// BERT's basic tokenisation as space-separated words: control characters removed, lower-cased and accents stripped
    /// (uncased models), every punctuation mark and CJK ideograph a word of its own.
    /// </summary>
    internal static string SplitWords(string text, bool lowerCase)
    {
        if (lowerCase)
        {
            text = text.ToLowerInvariant();
            if (!Ascii.IsValid(text))
            {
                // Decomposes accented letters where the runtime has normalisation data (not in invariant globalisation
                // mode, which this solution uses: there the Latin table below does the common cases).
                text = text.Normalize(NormalizationForm.FormD);
            }
        }

        var buffer = ArrayPool<char>.Shared.Rent((text.Length * 3) + 1);
        try
        {
            var length = 0;
            foreach (var rune in text.EnumerateRunes())
            {
                var category = Rune.GetUnicodeCategory(rune);
                if (rune.Value is 0 or 0xFFFD || (IsControl(rune, category) && !IsWhitespace(rune, category)))
                {
                    continue;
                }

                if (lowerCase && category == UnicodeCategory.NonSpacingMark)
                {
                    continue;
                }

                if (lowerCase && rune.Value is >= LatinAccentsFirst and < LatinAccentsFirst + 400 && LatinAccents[rune.Value - LatinAccentsFirst] != '.')
                {
                    buffer[length++] = LatinAccents[rune.Value - LatinAccentsFirst];
                    continue;
                }

                if (IsWhitespace(rune, category))
                {
                    buffer[length++] = ' ';
                }
                else if (IsPunctuation(rune, category) || IsCjk(rune.Value))
                {
                    buffer[length++] = ' ';
                    length += rune.EncodeToUtf16(buffer.AsSpan(length));
                    buffer[length++] = ' ';
                }
                else
                {
                    length += rune.EncodeToUtf16(buffer.AsSpan(length));
                }
            }

            return new string(buffer, 0, length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static bool IsWhitespace(Rune rune, UnicodeCategory category) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || category == UnicodeCategory.SpaceSeparator;

    private static bool IsControl(Rune rune, UnicodeCategory category) =>
        category is UnicodeCategory.Control or UnicodeCategory.Format && rune.Value is not ('\t' or '\n' or '\r');

    // BERT counts every non-alphanumeric ASCII character as punctuation ('$', '+', '^', '`'...), not just Unicode's P*.
    private static bool IsPunctuation(Rune rune, UnicodeCategory category) =>
        rune.Value is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)
        || category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
            or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
            or UnicodeCategory.OtherPunctuation;

    private static bool IsCjk(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
