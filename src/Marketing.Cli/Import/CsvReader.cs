using System.Text;

namespace Marketing.Cli.Import;

/// <summary>
/// A small RFC 4180 reader (quoted fields, doubled quotes, commas inside quotes) that yields each data row with its
/// 1-based line number, mapped by header name. The datasets here are a few MB, so simplicity beats speed.
/// </summary>
public sealed class CsvReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly Dictionary<string, int> _columns;
    private int _lineNumber;

    public CsvReader(TextReader reader)
    {
        _reader = reader;
        var header = ReadRecord() ?? throw new InvalidDataException("the CSV file is empty: no header row");
        _columns = header.Select((name, i) => (name.Trim(), i)).ToDictionary(p => p.Item1, p => p.i, StringComparer.OrdinalIgnoreCase);
    }

    public static CsvReader Open(string path) => new(new StreamReader(path, Encoding.UTF8));

    public IReadOnlyCollection<string> Header => _columns.Keys;

    public bool HasColumn(string name) => _columns.ContainsKey(name);

    public int Column(string name) =>
        _columns.TryGetValue(name, out var index) ? index : throw new InvalidDataException($"the CSV file has no column '{name}'");

    /// <summary>Data rows in file order; <paramref name="limit"/> caps how many are read.</summary>
    public IEnumerable<CsvRow> Rows(int? limit = null)
    {
        var count = 0;
        while (limit is null || count < limit)
        {
            var line = _lineNumber + 1;
            var fields = ReadRecord();
            if (fields is null)
            {
                yield break;
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            count++;
            yield return new CsvRow(line, fields);
        }
    }

    public void Dispose() => _reader.Dispose();

    /// <summary>One record; a quoted field may span lines. Null at the end of the input.</summary>
    private List<string>? ReadRecord()
    {
        var first = _reader.Peek();
        if (first < 0)
        {
            return null;
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        while (true)
        {
            var c = _reader.Read();
            if (c < 0)
            {
                fields.Add(field.ToString());
                _lineNumber++;
                return fields;
            }

            if (quoted)
            {
                if (c == '"')
                {
                    if (_reader.Peek() == '"')
                    {
                        _reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        _lineNumber++;
                    }

                    field.Append((char)c);
                }

                continue;
            }

            switch (c)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    _lineNumber++;
                    return fields;
                default:
                    field.Append((char)c);
                    break;
            }
        }
    }
}

/// <summary>One data row: its line in the file (for messages) and its fields.</summary>
public readonly record struct CsvRow(int Line, IReadOnlyList<string> Fields)
{
    public string this[int column] => column < Fields.Count ? Fields[column] : "";
}
