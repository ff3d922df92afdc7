namespace Marketing.Abstractions.Shoppers;

/// <summary>Limits on profile attributes, so one shopper cannot grow without bound.</summary>
public static class ProfileRules
{
    public const int MaxAttributes = 32;
    public const int MaxKeyLength = 64;
    public const int MaxValueLength = 512;

    public static List<FieldError> Validate(IReadOnlyDictionary<string, string?> attributes)
    {
        var errors = new List<FieldError>();
        if (attributes.Count > MaxAttributes)
        {
            errors.Add(new("attributes", $"at most {MaxAttributes} attributes"));
        }

        foreach (var (key, value) in attributes)
        {
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxKeyLength)
            {
                errors.Add(new($"attributes.{key}", $"attribute names must be 1 to {MaxKeyLength} characters"));
            }
            else if (value is { Length: > MaxValueLength })
            {
                errors.Add(new($"attributes.{key}", $"must be at most {MaxValueLength} characters"));
            }
        }

        return errors;
    }
}
