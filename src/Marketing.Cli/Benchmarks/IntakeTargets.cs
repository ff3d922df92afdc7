using System.Buffers;
using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Cli.CommandLine;
using Marketing.Client;

namespace Marketing.Cli.Benchmarks;

/// <summary>Where the intake benchmark sends a shopper's events; returns whether it worked and a status label.</summary>
public interface IIntakeTarget : IDisposable
{
    string Name { get; }

    Task<(bool Ok, string Status)> SendAsync(string userId, ShopperEvent[] events, CancellationToken cancellation);
}

/// <summary>
/// <c>POST /events</c> on the gateway through one shared HttpClient, with the connection pool capped so the number
/// of sockets is a setting of the run, not an accident of the load.
/// </summary>
public sealed class HttpIntakeTarget : IIntakeTarget
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;

    public HttpIntakeTarget(Uri gateway, string? apiKey, int connections, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = gateway, Timeout = timeout };
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
    }

    public string Name => "http";

    /// <summary>Only loopback: the benchmark must never be pointed at someone else's server by mistake.</summary>
    public static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Refuses, as a usage error naming <paramref name="option"/>, a URL that is not loopback.</summary>
    public static void RequireLoopback(Uri uri, string option)
    {
        if (!IsLoopback(uri))
        {
            throw new UsageException($"{option} must be a loopback address (127.0.0.1, ::1 or localhost); got {uri}");
        }
    }

    public async Task<(bool Ok, string Status)> SendAsync(string userId, ShopperEvent[] events, CancellationToken cancellation)
    {
        using var content = new ByteArrayContent(EventJson.Serialize(userId, events));
        content.Headers.ContentType = Json;
        try
        {
            using var response = await _http.PostAsync("events", content, cancellation);
            var code = (int)response.StatusCode;
            return (response.IsSuccessStatusCode, $"HTTP {code}");
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return (false, "timeout");
        }
        catch (HttpRequestException e)
        {
            return (false, e.InnerException is SocketException s ? $"socket {s.SocketErrorCode}" : $"http error {e.HttpRequestError}");
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary><c>IShopperGrain.Track</c> through the Orleans client: the same work minus HTTP, JSON and the gateway hop.</summary>
public sealed class ClientIntakeTarget(IGrainFactory grains, ShopperPseudonym pseudonym, TimeSpan timeout) : IIntakeTarget
{
    public string Name => "client";

    public async Task<(bool Ok, string Status)> SendAsync(string userId, ShopperEvent[] events, CancellationToken cancellation)
    {
        try
        {
            await grains.GetShopper(pseudonym, userId).Track(ImmutableArray.Create(events), EventSource.Live).WaitAsync(timeout, cancellation);
            return (true, "ok");
        }
        catch (TimeoutException)
        {
            return (false, "timeout");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (false, e.GetType().Name);
        }
    }

    public void Dispose()
    {
    }
}

/// <summary>The gateway's event JSON (camelCase, kebab-case type names), written directly for a cheap hot path.</summary>
public static class EventJson
{
    public static byte[] Serialize(string userId, IReadOnlyList<ShopperEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(256 * events.Count);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            // One event is sent as an object, several as an array: the gateway takes both.
            if (events.Count != 1)
            {
                writer.WriteStartArray();
            }

            foreach (var e in events)
            {
                Write(writer, userId, e);
            }

            if (events.Count != 1)
            {
                writer.WriteEndArray();
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, string userId, ShopperEvent e)
    {
        w.WriteStartObject();
        w.WriteString("eventId", e.EventId);
        w.WriteString("userId", userId);
        w.WriteString("type", EventTypeNames.ToName(e.Type));
        w.WriteString("timestamp", e.Timestamp);
        WriteIfSet(w, "sku", e.Sku);
        WriteIfSet(w, "query", e.Query);
        if (e.Quantity > 0)
        {
            w.WriteNumber("quantity", e.Quantity);
        }

        if (e.Price is { } price)
        {
            w.WriteNumber("price", price);
        }

        WriteIfSet(w, "orderId", e.OrderId);
        if (!e.Lines.IsDefaultOrEmpty)
        {
            w.WriteStartArray("lines");
            foreach (var line in e.Lines)
            {
                w.WriteStartObject();
                w.WriteString("sku", line.Sku);
                w.WriteNumber("quantity", line.Quantity);
                w.WriteNumber("price", line.Price);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (e.Amount is { } amount)
        {
            w.WriteNumber("amount", amount);
        }

        if (e.Rating is { } rating)
        {
            w.WriteNumber("rating", rating);
        }

        WriteIfSet(w, "text", e.Text);
        w.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
