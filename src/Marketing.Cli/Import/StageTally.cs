using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Marketing.Abstractions;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

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
    private long _resent;

    public string Name { get; } = name;

    public long RowsRead => Interlocked.Read(ref _rowsRead);

    /// <summary>Products or events built from rows that passed validation.</summary>
    public long Records => Interlocked.Read(ref _records);

    /// <summary>Records the grains accepted.</summary>
    public long Imported => Interlocked.Read(ref _imported);

    /// <summary>
    /// Records already present: repeated in the file, recognised by the grain as resent, or (an import run again)
    /// products stored unchanged and events a shopper holds.
    /// </summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long FlaggedAsBot => Interlocked.Read(ref _flaggedAsBot);

    /// <summary>Rows kept out, by reason (field and message, without row-specific values).</summary>
    public ConcurrentDictionary<string, long> Rejected { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Records whose grain call failed, by cause (<see cref="Cause"/>): a silo's death fails hundreds of calls with
    /// as many different messages (each names its grain and silo), which one row per cause keeps readable.
    /// </summary>
    public ConcurrentDictionary<string, FailureGroup> Failed { get; } = new(StringComparer.Ordinal);

    public long RejectedRows => Rejected.Values.Sum();

    public long FailedRecords => Failed.Values.Sum(f => f.Records);

    /// <summary>Grain calls sent again because their silo could not be reached or did not answer.</summary>
    public long Resent => Interlocked.Read(ref _resent);

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

    public void AddResent() => Interlocked.Increment(ref _resent);

    /// <summary>Counts <paramref name="records"/> as failed with <paramref name="error"/>, for <paramref name="key"/> (a SKU or user id).</summary>
    public void Fail(Exception error, long records, string key) => Fail(Cause(error), FirstLine(error.Message), records, key);

    /// <summary>Counts <paramref name="records"/> as failed for a <paramref name="cause"/> named by the caller.</summary>
    public void Fail(string cause, string message, long records, string key) =>
        Failed.GetOrAdd(cause, static (c, m) => new FailureGroup(c, m), message).Add(records, key);

    /// <summary>
    /// What went wrong, in words that do not change from one failed call to the next: the ways a silo can be out of
    /// reach have names of their own; anything else is its exception type.
    /// </summary>
    public static string Cause(Exception error) => Unwrap(error) switch
    {
        // Declared dead while the call was pending, or the silo it was sent to is known to be gone.
        SiloUnavailableException => "silo unavailable",
        ConnectionFailedException => "connection refused",
        OrleansMessageRejectionException => "call rejected by a silo",
        TimeoutException => "timeout",
        // An activation that gave up waiting, e.g. for a crashed silo's events to be replayed.
        OperationCanceledException => "activation gave up",
        InconsistentStateException => "conflicting write",
        var other => other.GetType().Name,
    };

    private static Exception Unwrap(Exception error) =>
        error is AggregateException { InnerExceptions.Count: > 0 } many ? Unwrap(many.InnerExceptions[0]) : error;

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

/// <summary>Failed records of one cause: how many, the first few keys (SKUs or user ids) and the first message.</summary>
public sealed class FailureGroup(string cause, string firstMessage)
{
    /// <summary>How many keys a group keeps as examples.</summary>
    public const int MaxExamples = 3;

    private readonly List<string> _examples = [];
    private long _records;
    private long _keys;

    public string Cause { get; } = cause;

    /// <summary>The first failure's message, first line: what a cause's name alone may not say.</summary>
    public string FirstMessage { get; } = firstMessage;

    public long Records => Interlocked.Read(ref _records);

    /// <summary>How many failures were counted: products, or shoppers whose events stopped.</summary>
    public long Keys => Interlocked.Read(ref _keys);

    public IReadOnlyList<string> Examples
    {
        get
        {
            lock (_examples)
            {
                return [.. _examples];
            }
        }
    }

    public void Add(long records, string key)
    {
        Interlocked.Add(ref _records, records);
        Interlocked.Increment(ref _keys);
        lock (_examples)
        {
            if (_examples.Count < MaxExamples)
            {
                _examples.Add(key);
            }
        }
    }
}
