using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Marketing.Abstractions;

namespace Marketing.Cli.Import;

/// <summary>
/// The counts for one import stage (products or events). Rows are lines of the source files; records are the
/// products or events built from them. Safe to update from concurrent grain calls.
/// </summary>
public sealed partial class StageTally(string name)
{
    private long _rowsRead;
    private long _records;
    private long _imported;
    private long _duplicates;
    private long _flaggedAsBot;

    public string Name { get; } = name;

    public long RowsRead => Interlocked.Read(ref _rowsRead);

    /// <summary>Products or events built from rows that passed validation.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Records the grains accepted.</summary>
    public long Imported => Interlocked.Read(ref _imported);

    /// <summary>Records already present: repeated in the file, or recognised by the grain as resent.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long FlaggedAsBot => Interlocked.Read(ref _flaggedAsBot);

    /// <summary>Rows kept out, by reason (field and message, without row-specific values).</summary>
    public ConcurrentDictionary<string, long> Rejected { get; } = new(StringComparer.Ordinal);

    /// <summary>Records whose grain call failed, by exception type and message.</summary>
    public ConcurrentDictionary<string, long> Failed { get; } = new(StringComparer.Ordinal);

    public long RejectedRows => Rejected.Values.Sum();

    public long FailedRecords => Failed.Values.Sum();

    public TimeSpan Duration { get; set; }

    public void RowRead() => Interlocked.Increment(ref _rowsRead);

    public void RecordBuilt() => Interlocked.Increment(ref _records);

    public void AddImported(long count) => Interlocked.Add(ref _imported, count);

    public void AddDuplicates(long count) => Interlocked.Add(ref _duplicates, count);

    public void AddFlaggedAsBot(long count) => Interlocked.Add(ref _flaggedAsBot, count);

    public void Reject(string reason, long rows = 1) => Rejected.AddOrUpdate(reason, rows, (_, n) => n + rows);

    /// <summary>Rejects rows for every distinct problem the shared validators found.</summary>
    public void Reject(IEnumerable<FieldError> errors, long rows = 1)
    {
        foreach (var reason in errors.Select(Reason).Distinct())
        {
            Reject(reason, rows);
        }
    }

    public void Fail(Exception error, long records) =>
        Failed.AddOrUpdate($"{error.GetType().Name}: {FirstLine(error.Message)}", records, (_, n) => n + records);

    /// <summary>
    /// Groups like problems together: <c>event.lines[3].sku</c> becomes <c>lines[].sku</c> and a trailing
    /// "(got …)" with the offending value is dropped.
    /// </summary>
    public static string Reason(FieldError error)
    {
        var field = IndexPattern().Replace(error.Field, "[]");
        var dot = field.IndexOf('.', StringComparison.Ordinal);
        if (field.StartsWith("event", StringComparison.Ordinal) && dot >= 0)
        {
            field = field[(dot + 1)..];
        }

        var message = GotPattern().Replace(error.Message, "");
        return $"{field}: {message}";
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length <= 120 ? line : line[..120] + "…";
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex IndexPattern();

    [GeneratedRegex(@"\s*\(got [^)]*\)$")]
    private static partial Regex GotPattern();
}
