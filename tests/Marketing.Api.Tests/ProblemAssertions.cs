using System.Net;
using System.Text.Json;

namespace Marketing.Api.Tests;

/// <summary>Reads problem responses the way a client would: status, content type, and the fields named in errors.</summary>
internal static class ProblemAssertions
{
    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The field paths in a validation problem's <c>errors</c>.</summary>
    public static async Task<Dictionary<string, string[]>> ValidationErrorsAsync(this HttpResponseMessage response)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No errors in {problem}");
        return errors.Deserialize<Dictionary<string, string[]>>()!;
    }

    /// <summary>The body of a 200 response as JSON; anything else fails with the status and body.</summary>
    public static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient client, string path, string json) =>
        client.PutAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
}
