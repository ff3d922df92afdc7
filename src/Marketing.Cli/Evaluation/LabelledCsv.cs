using Marketing.Cli.CommandLine;
using Marketing.Cli.Import;
using Marketing.Ml.Support;

namespace Marketing.Cli.Evaluation;

/// <summary>Reads a CSV of labelled texts (a header naming the text and label columns, e.g. <c>text,category</c>).</summary>
public static class LabelledCsv
{
    public static List<LabelledText> Read(string path, string textColumn, string labelColumn, int? limit = null)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"no such file: {path}");
        }

        using var csv = CsvReader.Open(path);
        foreach (var column in new[] { textColumn, labelColumn })
        {
            if (!csv.HasColumn(column))
            {
                throw new UsageException($"{path} has no column '{column}' (its header: {string.Join(",", csv.Header)})");
            }
        }

        var text = csv.Column(textColumn);
        var label = csv.Column(labelColumn);
        var rows = csv.Rows()
            .Select(r => new LabelledText(r[text].Trim(), r[label].Trim()))
            .Where(r => r.Text.Length > 0 && r.Label.Length > 0);
        var examples = (limit is { } n ? rows.Take(n) : rows).ToList();
        return examples.Count > 0 ? examples : throw new UsageException($"{path} holds no labelled rows");
    }
}
