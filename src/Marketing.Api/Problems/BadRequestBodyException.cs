namespace Marketing.Api.Problems;

/// <summary>
/// The request body could not be read as the endpoint's input: too large (413), empty or malformed JSON (400).
/// Thrown by <see cref="RequestBody"/> and turned into a problem response by <see cref="ApiExceptionHandler"/>.
/// </summary>
public sealed class BadRequestBodyException : Exception
{
    public BadRequestBodyException(int statusCode, string title, string detail, IDictionary<string, string[]>? errors = null)
        : base(detail)
    {
        StatusCode = statusCode;
        Title = title;
        Errors = errors;
    }

    public int StatusCode { get; }

    public string Title { get; }

    /// <summary>Field paths (as in validation problems) and what is wrong with each; null when no field is to blame.</summary>
    public IDictionary<string, string[]>? Errors { get; }

    public static BadRequestBodyException TooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge,
        "Request body too large",
        $"The request body exceeds this endpoint's limit of {limit:N0} bytes. Split it into smaller requests.");

    public static BadRequestBodyException Empty() => new(
        StatusCodes.Status400BadRequest,
        "Request body required",
        "The request body is empty; this endpoint expects JSON.");
}
