using System.Text.Json;
using System.Text.Json.Serialization;
using Marketing.Abstractions.Events;

namespace Marketing.Grains.Events;

/// <summary>
/// One line of the durable event log. <see cref="Seq"/> is the shopper's own sequence number, so replaying a log tail
/// into a grain applies exactly the records its persisted state has not seen. <see cref="LoggedAt"/> is the silo's
/// clock when the record was stamped; checkpoints are expressed in it.
/// </summary>
public sealed record LoggedEvent(
    string Shopper,
    long Seq,
    DateTimeOffset LoggedAt,
    EventSource Source,
    bool Bot,
    ShopperEvent Event)
{
    /// <summary>True when this record's shopper was erased after it was logged.</summary>
    public bool IsErasedBy(IReadOnlyDictionary<string, DateTimeOffset> erasures) =>
        erasures.TryGetValue(Shopper, out var erasedAt) && LoggedAt <= erasedAt;
}

/// <summary>A shopper's erasure: records of that shopper logged before <see cref="ErasedAt"/> are dead to every reader.</summary>
public sealed record Erasure(string Shopper, DateTimeOffset ErasedAt);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(LoggedEvent))]
[JsonSerializable(typeof(Erasure))]
public sealed partial class EventLogJson : JsonSerializerContext
{
    /// <summary>One record as a UTF-8 JSON line (with the trailing newline).</summary>
    public static void WriteLine(LoggedEvent record, Stream output)
    {
        JsonSerializer.Serialize(output, record, Default.LoggedEvent);
        output.WriteByte((byte)'\n');
    }

    /// <summary>Parses a block of JSON lines; a torn last line (a crash mid-append cannot produce one, but a
    /// hand-edited file can) is skipped rather than failing recovery.</summary>
    public static IEnumerable<LoggedEvent> ReadLines(ReadOnlyMemory<byte> utf8)
    {
        var rest = utf8;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            if (line.IsEmpty)
            {
                continue;
            }

            if (ParseLine(line.Span) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>One line without its newline; null when it is not a record (skipped by every reader alike).</summary>
    public static LoggedEvent? ParseLine(ReadOnlySpan<byte> line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, Default.LoggedEvent);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
