using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;

namespace Marketing.Api.Events;

/// <summary>
/// A request's events, checked as a whole: either every event is valid and the batch is grouped by shopper, or the
/// errors name each bad field (<c>events[3].price</c>, or <c>price</c> for a single object) and nothing is sent on.
/// </summary>
public sealed class EventBatch
{
    /// <summary>
    /// Stands in for a missing or unknown type so the shared validator still checks the common fields (id, time,
    /// price) while skipping the type-specific ones; its own complaint about the type is already reported.
    /// </summary>
    private const ShopperEventType UnknownType = (ShopperEventType)(-1);

    private EventBatch(IReadOnlyDictionary<string, ImmutableArray<ShopperEvent>> byShopper, IReadOnlyList<FieldError> errors)
    {
        ByShopper = byShopper;
        Errors = errors;
    }

    /// <summary>The events of each shop user id, in request order.</summary>
    public IReadOnlyDictionary<string, ImmutableArray<ShopperEvent>> ByShopper { get; }

    public IReadOnlyList<FieldError> Errors { get; }

    public bool IsValid => Errors.Count == 0;

    /// <summary>Checks every event; <paramref name="isArray"/> says whether field paths start with <c>events[i]</c>.</summary>
    public static EventBatch Check(IReadOnlyList<EventInput?> inputs, bool isArray, int maxEvents, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (inputs.Count == 0)
        {
            errors.Add(new("events", "at least one event is required"));
        }
        else if (inputs.Count > maxEvents)
        {
            errors.Add(new("events", $"at most {maxEvents} events per request (got {inputs.Count}); split the batch"));
        }

        if (errors.Count > 0)
        {
            return new EventBatch(new Dictionary<string, ImmutableArray<ShopperEvent>>(), errors);
        }

        var byShopper = new Dictionary<string, ImmutableArray<ShopperEvent>.Builder>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var prefix = isArray ? $"events[{i}]" : "";
            if (Check(inputs[i], prefix, now, errors) is ({ } userId, { } shopperEvent))
            {
                if (!byShopper.TryGetValue(userId, out var events))
                {
                    byShopper[userId] = events = ImmutableArray.CreateBuilder<ShopperEvent>();
                }

                events.Add(shopperEvent);
            }
        }

        return errors.Count > 0
            ? new EventBatch(new Dictionary<string, ImmutableArray<ShopperEvent>>(), errors)
            : new EventBatch(byShopper.ToDictionary(p => p.Key, p => p.Value.ToImmutable(), StringComparer.Ordinal), errors);
    }

    private static (string? UserId, ShopperEvent? Event) Check(EventInput? input, string prefix, DateTimeOffset now, List<FieldError> errors)
    {
        string Field(string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

        if (input is null)
        {
            errors.Add(new(prefix.Length == 0 ? "body" : prefix, "must be an event object, not null"));
            return (null, null);
        }

        var before = errors.Count;
        ShopperEventValidator.RequireId(input.UserId, Field("userId"), errors);

        ShopperEventType type;
        if (string.IsNullOrWhiteSpace(input.Type))
        {
            errors.Add(new(Field("type"), $"is required; one of {string.Join(", ", EventTypeNames.All)}"));
            type = UnknownType;
        }
        else if (!EventTypeNames.TryParse(input.Type, out type))
        {
            errors.Add(new(Field("type"), $"'{Shorten(input.Type)}' is not an event type; expected one of {string.Join(", ", EventTypeNames.All)}"));
            type = UnknownType;
        }

        var lines = ImmutableArray.CreateBuilder<OrderLine>(input.Lines?.Count ?? 0);
        for (var j = 0; j < (input.Lines?.Count ?? 0); j++)
        {
            var line = input.Lines![j];
            if (line is null)
            {
                errors.Add(new(Field($"lines[{j}]"), "must be an order line object, not null"));
                continue;
            }

            if (line.Price is null)
            {
                errors.Add(new(Field($"lines[{j}].price"), "is required"));
            }

            lines.Add(new OrderLine(line.Sku ?? "", line.Quantity ?? 1, line.Price ?? 0m));
        }

        var isCartEvent = type is ShopperEventType.AddToCart or ShopperEventType.RemoveFromCart;
        var shopperEvent = new ShopperEvent
        {
            EventId = input.EventId ?? "",
            Type = type,
            Timestamp = input.Timestamp ?? now,
            Sku = input.Sku,
            Query = input.Query,
            Quantity = input.Quantity ?? (isCartEvent ? 1 : 0),
            Price = input.Price,
            OrderId = input.OrderId,
            Lines = lines.ToImmutable(),
            Amount = input.Amount,
            Rating = input.Rating,
            Text = input.Text,
        };

        // The shared validator writes "{path}.field"; a single object's fields are named without a prefix.
        var shared = new List<FieldError>();
        ShopperEventValidator.Validate(shopperEvent, prefix, now, shared);
        var reported = errors.Skip(before).Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        errors.AddRange(shared
            .Select(e => prefix.Length == 0 ? e with { Field = e.Field.TrimStart('.') } : e)
            .Where(e => !reported.Contains(e.Field)));

        return errors.Count == before ? (input.UserId, shopperEvent) : (null, null);
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
