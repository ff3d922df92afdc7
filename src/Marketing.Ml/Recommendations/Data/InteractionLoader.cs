using System.Globalization;

namespace Marketing.Ml.Recommendations.Data;

/// <summary>
/// Reads either dataset layout from a CSV file with a header row. The columns are found by name, so their order does
/// not matter; a missing column or a bad value is an <see cref="InvalidDataException"/> naming the file, line and
/// column.
/// </summary>
public static class InteractionLoader
{
    public static readonly IReadOnlyList<string> RatingsColumns = ["user_id", "item_id", "rating", "timestamp"];

    public static readonly IReadOnlyList<string> SequencesColumns = ["user_id", "item_id", "seq_pos"];

    public static IReadOnlyList<string> ColumnsOf(InteractionFormat format) =>
        format == InteractionFormat.Ratings ? RatingsColumns : SequencesColumns;

    /// <summary>The layout a header names, or null when it has the columns of neither.</summary>
    public static InteractionFormat? DetectFormat(string path)
    {
        var header = ReadHeader(path);
        return HasColumns(header, RatingsColumns) ? InteractionFormat.Ratings
            : HasColumns(header, SequencesColumns) ? InteractionFormat.Sequences
            : null;
    }

    public static InteractionData Load(string path, InteractionFormat format)
    {
        var header = ReadHeader(path);
        var wanted = ColumnsOf(format);
        var missing = wanted.Where(c => !header.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"{path}: the {format.ToString().ToLowerInvariant()} format needs the columns {string.Join(',', wanted)}; " +
                $"missing {string.Join(',', missing)} (the header is '{string.Join(',', header)}')");
        }

        var at = wanted.Select(c => header.FindIndex(h => string.Equals(h, c, StringComparison.OrdinalIgnoreCase))).ToArray();
        var users = new IdMap();
        var items = new IdMap();
        var interactions = new List<Interaction>();
        var lineNumber = 1;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length < header.Count)
            {
                throw new InvalidDataException($"{path}, line {lineNumber}: {fields.Length} fields where the header has {header.Count}");
            }

            var user = users.GetOrAdd(Field(fields, at[0]));
            var item = items.GetOrAdd(Field(fields, at[1]));
            var interaction = format == InteractionFormat.Ratings
                ? new Interaction(user, item, (float)Number(fields, at[2], "rating"), (long)Number(fields, at[3], "timestamp"))
                : new Interaction(user, item, 1f, (long)Number(fields, at[2], "seq_pos"));
            interactions.Add(interaction);

            string Field(string[] f, int column) =>
                f[column].Trim() is { Length: > 0 } value ? value : throw new InvalidDataException($"{path}, line {lineNumber}: empty {wanted[Array.IndexOf(at, column)]}");

            double Number(string[] f, int column, string name) =>
                double.TryParse(f[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                    ? value
                    : throw new InvalidDataException($"{path}, line {lineNumber}: {name} '{f[column]}' is not a number");
        }

        if (interactions.Count == 0)
        {
            throw new InvalidDataException($"{path}: no interactions after the header");
        }

        return new InteractionData(users, items, interactions);
    }

    private static List<string> ReadHeader(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"dataset file not found: {path}", path);
        }

        var first = File.ReadLines(path).FirstOrDefault()
            ?? throw new InvalidDataException($"{path}: the file is empty (a header row is expected)");
        return [.. first.Split(',').Select(h => h.Trim().Trim('"'))];
    }

    private static bool HasColumns(List<string> header, IReadOnlyList<string> columns) =>
        columns.All(c => header.Contains(c, StringComparer.OrdinalIgnoreCase));
}
