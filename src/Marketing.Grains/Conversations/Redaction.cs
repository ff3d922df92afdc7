using System.Text.RegularExpressions;

namespace Marketing.Grains.Conversations;

/// <summary>Masks e-mail addresses, card numbers and phone numbers before a transcript is stored.</summary>
public static partial class Redaction
{
    public static string Redact(string text)
    {
        text = Email().Replace(text, "[email]");
        text = Card().Replace(text, "[card]");
        return Phone().Replace(text, "[phone]");
    }

    [GeneratedRegex(@"[\w.+-]+@[\w-]+(\.[\w-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    // 13 to 19 digits, optionally grouped by spaces or dashes.
    [GeneratedRegex(@"\b\d(?:[ -]?\d){12,18}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Card();

    // 7 to 15 digits with the usual separators, optionally starting with + or a bracketed area code.
    [GeneratedRegex(@"(?<![\w$])\+?\(?\d{1,4}\)?(?:[ .-]?\(?\d{2,4}\)?){2,5}(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
