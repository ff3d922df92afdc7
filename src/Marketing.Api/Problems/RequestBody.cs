using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Problems;

/// <summary>
/// Reads JSON request bodies under a byte limit. Endpoints read bodies here rather than through parameter binding so
/// that an oversized body is refused (413) as soon as it passes the limit, never buffered whole, and malformed JSON
/// answers 400 naming the field, line and position.
/// </summary>
public static partial class RequestBody
{
    /// <summary>
    /// Deserialises the body as it streams in; at most <paramref name="limit"/> bytes are ever read.
    /// <paramref name="rootName"/> is how field paths name a top-level array (<c>products[2].price</c>).
    /// </summary>
    public static async Task<T> ReadJsonAsync<T>(HttpContext http, long limit, string? rootName, CancellationToken cancellationToken)
    {
        var body = OpenLimited(http, limit);
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(body, SerializerOptions(http), cancellationToken);
            return value ?? throw BadRequestBodyException.Empty();
        }
        catch (JsonException ex)
        {
            throw body.BytesRead == 0 ? BadRequestBodyException.Empty() : Malformed(ex, rootName);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw BadRequestBodyException.TooLarge(limit);
        }
    }

    /// <summary>Reads the whole body (at most <paramref name="limit"/> bytes) for callers that must look before parsing.</summary>
    public static async Task<ArraySegment<byte>> ReadBytesAsync(HttpContext http, long limit, CancellationToken cancellationToken)
    {
        var body = OpenLimited(http, limit);
        var capacity = (int)Math.Min(http.Request.ContentLength ?? 16 * 1024, limit);
        using var buffer = new MemoryStream(capacity);
        try
        {
            await body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw BadRequestBodyException.TooLarge(limit);
        }

        return new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Deserialises a buffered body, reporting malformed JSON the same way as <see cref="ReadJsonAsync{T}"/>.</summary>
    public static T Deserialize<T>(HttpContext http, ReadOnlySpan<byte> json, string? rootName)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, SerializerOptions(http)) ?? throw BadRequestBodyException.Empty();
        }
        catch (JsonException ex)
        {
            throw Malformed(ex, rootName);
        }
    }

    /// <summary>Maps a System.Text.Json path (<c>$[3].price</c>) to the field names used in validation problems.</summary>
    public static string FieldPath(string? jsonPath, string? rootName)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return rootName ?? "body";
        }

        var rest = jsonPath.StartsWith('$') ? jsonPath[1..] : jsonPath;
        if (rest.StartsWith('['))
        {
            return (rootName ?? "body") + rest;
        }

        return rest.TrimStart('.');
    }

    private static JsonSerializerOptions SerializerOptions(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    private static LengthLimitedStream OpenLimited(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit)
        {
            throw BadRequestBodyException.TooLarge(limit);
        }

        // Kestrel's own limit (30 MB by default) would otherwise refuse bulk imports or allow more than ours.
        var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        return new LengthLimitedStream(http.Request.Body, limit);
    }

    private static BadRequestBodyException Malformed(JsonException ex, string? rootName)
    {
        var field = FieldPath(ex.Path, rootName);
        var message = Explain(ex.Message);
        var where = ex.LineNumber is { } line
            ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}"
            : "";
        return new BadRequestBodyException(
            StatusCodes.Status400BadRequest,
            "Malformed JSON",
            $"The request body could not be read{where} ({field}): {message}",
            new Dictionary<string, string[]> { [field] = [message] });
    }

    /// <summary>System.Text.Json's messages name .NET types; callers know JSON types and field names.</summary>
    private static string Explain(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        message = UnmappedMember().Replace(message, "The field '$1' is not part of this request's schema.");
        message = ConvertedTo().Replace(message, m => $"The JSON value could not be converted to {JsonTypeOf(m.Groups[1].Value)}.");
        return message.Trim();
    }

    private static string JsonTypeOf(string dotnetType) => Unwrap(dotnetType) switch
    {
        "System.String" => "a string",
        "System.Boolean" => "true or false",
        "System.Int32" or "System.Int64" or "System.Int16" => "an integer",
        "System.Decimal" or "System.Double" or "System.Single" => "a number",
        "System.DateTimeOffset" or "System.DateTime" => "an ISO-8601 date and time",
        var t when t.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "an array",
        var t when t.StartsWith("System.Collections", StringComparison.Ordinal) => "an object",
        var t when t.EndsWith("Input", StringComparison.Ordinal) || t.EndsWith("Request", StringComparison.Ordinal) => "an object",
        // Our remaining types on the wire are enums, written as kebab-case names.
        var t when t.StartsWith("Marketing.", StringComparison.Ordinal) => "one of the allowed values (see the API reference)",
        _ => "the expected type",
    };

    private static string Unwrap(string dotnetType) =>
        dotnetType.StartsWith("System.Nullable`1[", StringComparison.Ordinal) && dotnetType.EndsWith(']')
            ? dotnetType["System.Nullable`1[".Length..^1]
            : dotnetType;

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped to any \.NET member contained in type '[^']*'\.")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"The JSON value could not be converted to ([^ ]+?)\.(?= |$)")]
    private static partial Regex ConvertedTo();
}
