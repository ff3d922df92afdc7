using System.Globalization;

namespace Marketing.Cli.Evaluation;

/// <summary>One everyday query and the aisles whose products answer it.</summary>
public sealed record JudgedQuery(string Query, IReadOnlySet<string> Aisles, int Line);

/// <summary>
/// A judged query set (<c>Evaluation/everyday-queries.txt</c>): one query a line as <c>words | aisle; aisle</c>,
/// <c>#</c> comments and blank lines skipped. Every mistake is reported with its line; a query that contains the full
/// name of an aisle judging it is refused, since it would measure the category text products carry, not search.
/// </summary>
public static class QuerySet
{
    /// <summary>The bundled set, copied beside the CLI.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Evaluation", "everyday-queries.txt");

    public static IReadOnlyList<JudgedQuery> Load(string path, IReadOnlySet<string> knownAisles)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"query file '{path}' does not exist", path);
        }

        return Parse(File.ReadLines(path), knownAisles, path);
    }

    /// <summary>Parses the lines; <see cref="InvalidDataException"/> lists every bad line (up to 20) by number.</summary>
    public static IReadOnlyList<JudgedQuery> Parse(IEnumerable<string> lines, IReadOnlySet<string> knownAisles, string source)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(knownAisles);
        var queries = new List<JudgedQuery>();
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var number = 0;
        foreach (var raw in lines)
        {
            number++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var bar = line.IndexOf('|', StringComparison.Ordinal);
            if (bar < 0 || line.IndexOf('|', bar + 1) >= 0)
            {
                errors.Add(Say(number, "needs exactly one '|' between the query and its aisles"));
                continue;
            }

            var query = line[..bar].Trim();
            var aisles = line[(bar + 1)..].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (query.Length == 0)
            {
                errors.Add(Say(number, "has no query before '|'"));
                continue;
            }

            if (aisles.Length == 0)
            {
                errors.Add(Say(number, $"query '{query}' names no aisle after '|'"));
                continue;
            }

            var unknown = aisles.Where(a => !knownAisles.Contains(a)).ToList();
            if (unknown.Count > 0)
            {
                errors.Add(Say(number, $"aisle '{unknown[0]}' is not in aisles.csv"));
                continue;
            }

            var named = aisles.FirstOrDefault(a => ContainsPhrase(query, a));
            if (named is not null)
            {
                errors.Add(Say(number, $"query '{query}' contains its aisle's name '{named}'"));
                continue;
            }

            if (!seen.Add(query))
            {
                errors.Add(Say(number, $"query '{query}' is listed twice"));
                continue;
            }

            queries.Add(new JudgedQuery(query, new HashSet<string>(aisles, StringComparer.OrdinalIgnoreCase), number));
        }

        if (errors.Count > 0)
        {
            throw new InvalidDataException($"{source}: {errors.Count} bad line(s):{Environment.NewLine}  " + string.Join(Environment.NewLine + "  ", errors.Take(20)));
        }

        return queries.Count > 0 ? queries : throw new InvalidDataException($"{source}: no queries");
    }

    private static string Say(int line, string what) => string.Create(CultureInfo.InvariantCulture, $"line {line}: {what}");

    /// <summary>Whether the aisle's words appear together, as whole words, in the query (any case).</summary>
    private static bool ContainsPhrase(string query, string aisle)
    {
        var words = Words(query);
        var phrase = Words(aisle);
        for (var i = 0; i + phrase.Length <= words.Length; i++)
        {
            if (words.AsSpan(i, phrase.Length).SequenceEqual(phrase))
            {
                return true;
            }
        }

        return false;
    }

    private static string[] Words(string text) =>
        text.ToLowerInvariant().Split((char[])[' ', ',', '.', '\'', '-', '!', '?'], StringSplitOptions.RemoveEmptyEntries);
}
