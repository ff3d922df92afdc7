namespace Marketing.Abstractions.Events;

/// <summary>
/// The rules an event must meet before anything is stored. Shared by the gateway, the importers and the grain, so
/// every entrance rejects the same things with the same field names.
/// </summary>
public static class ShopperEventValidator
{
    public const int MaxIdLength = 128;
    public const int MaxQueryLength = 512;
    public const int MaxTextLength = 10_000;
    public const int MaxLines = 200;
    public const int MaxQuantity = 10_000;

    /// <summary>Events may be late by any amount (imports of history) but not from the future beyond clock skew.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromHours(1);

    private static readonly DateTimeOffset Earliest = new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static void Validate(ShopperEvent e, string path, DateTimeOffset now, List<FieldError> errors)
    {
        RequireId(e.EventId, $"{path}.eventId", errors);
        if (e.Timestamp < Earliest || e.Timestamp > now + MaxClockSkew)
        {
            errors.Add(new($"{path}.timestamp", $"must be between 1990-01-01 and one hour from now (got {e.Timestamp:O})"));
        }

        if (e.Price is < 0)
        {
            errors.Add(new($"{path}.price", "must not be negative"));
        }

        switch (e.Type)
        {
            case ShopperEventType.View or ShopperEventType.Click:
                RequireId(e.Sku, $"{path}.sku", errors);
                break;
            case ShopperEventType.AddToCart or ShopperEventType.RemoveFromCart:
                RequireId(e.Sku, $"{path}.sku", errors);
                if (e.Quantity is < 1 or > MaxQuantity)
                {
                    errors.Add(new($"{path}.quantity", $"must be between 1 and {MaxQuantity}"));
                }

                break;
            case ShopperEventType.Search:
                if (string.IsNullOrWhiteSpace(e.Query))
                {
                    errors.Add(new($"{path}.query", "is required for a search"));
                }
                else if (e.Query.Length > MaxQueryLength)
                {
                    errors.Add(new($"{path}.query", $"must be at most {MaxQueryLength} characters"));
                }

                break;
            case ShopperEventType.Purchase:
                ValidatePurchase(e, path, errors);
                break;
            case ShopperEventType.Review:
                RequireId(e.Sku, $"{path}.sku", errors);
                if (e.Rating is not (>= 1 and <= 5))
                {
                    errors.Add(new($"{path}.rating", "is required for a review and must be 1 to 5"));
                }

                if (e.Text is { Length: > MaxTextLength })
                {
                    errors.Add(new($"{path}.text", $"must be at most {MaxTextLength} characters"));
                }

                break;
            default:
                errors.Add(new($"{path}.type", $"unknown event type; expected one of {string.Join(", ", EventTypeNames.All)}"));
                break;
        }
    }

    private static void ValidatePurchase(ShopperEvent e, string path, List<FieldError> errors)
    {
        RequireId(e.OrderId, $"{path}.orderId", errors);
        if (e.Lines.IsDefaultOrEmpty)
        {
            errors.Add(new($"{path}.lines", "a purchase needs at least one line"));
        }
        else if (e.Lines.Length > MaxLines)
        {
            errors.Add(new($"{path}.lines", $"at most {MaxLines} lines per purchase"));
        }
        else
        {
            for (var i = 0; i < e.Lines.Length; i++)
            {
                var line = e.Lines[i];
                RequireId(line.Sku, $"{path}.lines[{i}].sku", errors);
                if (line.Quantity is < 1 or > MaxQuantity)
                {
                    errors.Add(new($"{path}.lines[{i}].quantity", $"must be between 1 and {MaxQuantity}"));
                }

                if (line.Price < 0)
                {
                    errors.Add(new($"{path}.lines[{i}].price", "must not be negative"));
                }
            }
        }

        if (e.Amount is < 0)
        {
            errors.Add(new($"{path}.amount", "must not be negative"));
        }
    }

    /// <summary>Checks an identifier (user id, SKU, event id): present, short, printable.</summary>
    public static void RequireId(string? value, string field, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(field, "is required"));
        }
        else if (value.Length > MaxIdLength)
        {
            errors.Add(new(field, $"must be at most {MaxIdLength} characters"));
        }
        else if (value.Any(char.IsControl))
        {
            errors.Add(new(field, "must not contain control characters"));
        }
    }
}
