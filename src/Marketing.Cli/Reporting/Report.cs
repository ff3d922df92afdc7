using Spectre.Console;
using Spectre.Console.Rendering;

namespace Marketing.Cli.Reporting;

/// <summary>
/// Output meant to be pasted into the README: the exact command, then Markdown pipe tables. Written as plain text
/// rather than through the console renderer, which would wrap wide tables at the terminal's width.
/// </summary>
public static class Report
{
    /// <summary>A whole number with thousands separators, as every table prints counts.</summary>
    public static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Milliseconds to one decimal.</summary>
    public static string Milliseconds(double value) => value.ToString("N1", System.Globalization.CultureInfo.InvariantCulture);

    public static void Command(string command, IEnumerable<string> args)
    {
        var line = string.Join(' ', new[] { "dotnet run --project src/Marketing.Cli -c Release --", command }.Concat(args.Select(Quote)));
        Console.Out.WriteLine();
        Console.Out.WriteLine($"Command: `{line}`");
        Console.Out.WriteLine();
    }

    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int leftAligned = 1)
    {
        Console.Out.Write(Markdown(headers, rows, leftAligned));
        Console.Out.WriteLine();
    }

    /// <summary>A padded pipe table; the first <paramref name="leftAligned"/> columns are text, the rest numbers.</summary>
    public static string Markdown(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int leftAligned = 1)
    {
        var cells = rows.Select(r => headers.Select((_, i) => i < r.Count ? Clean(r[i]) : "").ToArray()).ToList();
        var widths = headers.Select((h, i) => Math.Max(3, cells.Select(r => r[i].Length).Append(h.Length).Max())).ToArray();
        string Line(IEnumerable<string> values) =>
            "| " + string.Join(" | ", values.Select((v, i) => i < leftAligned ? v.PadRight(widths[i]) : v.PadLeft(widths[i]))) + " |";

        var text = new System.Text.StringBuilder();
        text.AppendLine(Line(headers.Select(Clean)));
        text.AppendLine("| " + string.Join(" | ", widths.Select((w, i) => i < leftAligned ? ":" + new string('-', w - 1) : new string('-', w - 1) + ":")) + " |");
        foreach (var row in cells)
        {
            text.AppendLine(Line(row));
        }

        return text.ToString();
    }

    private static string Clean(string cell) => cell.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',') ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}

/// <summary>A progress column that shows how many rows per second the task is completing.</summary>
public sealed class RowsPerSecondColumn : ProgressColumn
{
    public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text($"{task.Speed ?? 0:N0} rows/s", new Style(Color.Grey));
}
