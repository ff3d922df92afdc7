namespace Marketing.Api.Events;

/// <summary>
/// One event as the shop sends it. Everything is nullable so that a missing field is reported by validation with
/// its name, instead of failing deserialisation of the whole batch.
/// </summary>
public sealed record EventInput
{
    /// <summary>The shop's id for the event; resending the same id counts once.</summary>
    public string? EventId { get; init; }

    /// <summary>The shop's user id. The gateway turns it into a pseudonym; it is not stored.</summary>
    public string? UserId { get; init; }

    /// <summary>view, search, click, add-to-cart, remove-from-cart, purchase or review.</summary>
    public string? Type { get; init; }

    /// <summary>ISO-8601; defaults to the time the gateway received the event.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    public string? Sku { get; init; }

    public string? Query { get; init; }

    /// <summary>For cart events; defaults to 1.</summary>
    public int? Quantity { get; init; }

    public decimal? Price { get; init; }

    public string? OrderId { get; init; }

    public List<OrderLineInput?>? Lines { get; init; }

    public decimal? Amount { get; init; }

    public int? Rating { get; init; }

    public string? Text { get; init; }
}

public sealed record OrderLineInput
{
    public string? Sku { get; init; }

    /// <summary>Defaults to 1.</summary>
    public int? Quantity { get; init; }

    public decimal? Price { get; init; }
}

/// <summary>What happened to a request's events, summed over its shoppers; sent only once all of them are durable.</summary>
public sealed record TrackSummary(
    int Accepted,
    int Duplicates,
    int FlaggedAsBot,
    int Shoppers);
