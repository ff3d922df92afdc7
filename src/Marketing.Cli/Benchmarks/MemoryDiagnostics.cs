using System.Text.Json;

namespace Marketing.Cli.Benchmarks;

/// <summary>
/// The silo's <c>/diagnostics/memory</c> answer: managed heap after a full GC, live grain activations, and shoppers
/// whose state is still waiting for its write-behind.
/// </summary>
public sealed record MemorySnapshot(long GcHeapBytes, long Activations, long DirtyShoppers = 0)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<MemorySnapshot> ReadAsync(HttpClient http, Uri silo, CancellationToken cancellation)
    {
        var uri = new Uri(silo, "diagnostics/memory");
        using var response = await http.GetAsync(uri, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        var body = await response.Content.ReadAsStringAsync(cancellation);
        return Parse(body) ?? throw new InvalidDataException($"GET {uri} did not return {{gcHeapBytes, activations}}: {body}");
    }

    public static MemorySnapshot? Parse(string json)
    {
        var snapshot = JsonSerializer.Deserialize<MemorySnapshot>(json, Json);
        return snapshot is { GcHeapBytes: > 0 } ? snapshot : null;
    }
}
