namespace Marketing.Abstractions;

/// <summary>One problem with one input field; <see cref="Field"/> is a JSON path such as <c>events[2].lines[0].price</c>.</summary>
[GenerateSerializer, Immutable, Alias("mk.FieldError")]
public sealed record FieldError([property: Id(0)] string Field, [property: Id(1)] string Message);

/// <summary>Thrown by grains when input that passed the gateway is still unacceptable; carries the offending fields.</summary>
[GenerateSerializer, Alias("mk.InvalidInputException")]
public sealed class InvalidInputException : Exception
{
    public InvalidInputException(IReadOnlyList<FieldError> errors)
        : base(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
    {
        Errors = [.. errors];
    }

    public InvalidInputException(string field, string message)
        : this([new FieldError(field, message)])
    {
    }

    [Id(0)]
    public FieldError[] Errors { get; private set; } = [];
}
