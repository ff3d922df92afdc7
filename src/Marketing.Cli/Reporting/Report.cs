using Spectre.Console;

namespace Marketing.Cli.Reporting;

/// <summary>Output meant to be pasted into the README: the exact command, then Markdown tables.</summary>
public static class Report
{
    public static void Command(string command, IEnumerable<string> args)
    {
        var line = string.Join(' ', new[] { "dotnet run --project src/Marketing.Cli -c Release --", command }.Concat(args.Select(Quote)));
        AnsiConsole.WriteLine();
        AnsiConsole.WriteLine($"Command: `{line}`");
        AnsiConsole.WriteLine();
    }

    /// <summary>A Markdown pipe table; cells are plain text (no markup), numbers right-aligned.</summary>
    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int leftAligned = 1)
    {
        var table = new Table().Border(TableBorder.Markdown);
        for (var i = 0; i < headers.Count; i++)
        {
            var column = new TableColumn(new Text(headers[i]));
            table.AddColumn(i < leftAligned ? column.LeftAligned() : column.RightAligned());
        }

        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell)).ToArray());
        }

        AnsiConsole.Write(table);
        AnsiConsole.WriteLine();
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',') ? arg : $"'{arg.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}

/// <summary>A progress column that shows how many rows per second the task is completing.</summary>
public sealed class RowsPerSecondColumn : ProgressColumn
{
    public override Spectre.Console.Rendering.IRenderable Render(Spectre.Console.Rendering.RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
        new Text($"{task.Speed ?? 0:N0} rows/s", new Style(Color.Grey));
}
