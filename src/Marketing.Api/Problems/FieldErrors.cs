using Marketing.Abstractions;

namespace Marketing.Api.Problems;

/// <summary>Turns the shared validators' <see cref="FieldError"/> lists into validation problem responses.</summary>
public static class FieldErrors
{
    public static Dictionary<string, string[]> ToDictionary(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).Distinct(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);

    public static IResult Problem(IEnumerable<FieldError> errors, string? detail = null) =>
        TypedResults.ValidationProblem(
            ToDictionary(errors),
            detail: detail ?? "The request has invalid fields; nothing was changed.",
            title: "Invalid input");

    /// <summary>404 with a problem body that says what was not found.</summary>
    public static IResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} does not exist.");
}
