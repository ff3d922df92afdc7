using System.Net;
using System.Text.Json;

namespace Marketing.Api.Tests;

/// <summary>What an operator or integrator opens without a key: the API document and reference, health, metrics.</summary>
[Collection(GatewayCollection.Name)]
public sealed class DocsAndHealthTests(GatewayFixture fixture)
{
    private readonly HttpClient _anonymous = fixture.Client(apiKey: null);

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints_and_the_api_key_scheme()
    {
        var response = await _anonymous.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/events", "/admin/import/events", "/users/{id}", "/products/{sku}", "/products/bulk", "/categories", "/campaigns", "/campaigns/{id}/launch", "/users/{id}/recommendations", "/products/{sku}/also-bought" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from the OpenAPI document");
        }

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var postEvents = paths.GetProperty("/events").GetProperty("post");
        Assert.Contains("storefront", postEvents.GetProperty("description").GetString());
        Assert.True(postEvents.TryGetProperty("security", out _));
        Assert.True(postEvents.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task The_api_reference_page_is_served()
    {
        var response = await _anonymous.GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_landing_page_links_the_reference_health_and_dashboard()
    {
        var html = await _anonymous.GetStringAsync("/");

        Assert.Contains("href=\"/docs\"", html);
        Assert.Contains("href=\"/health/ready\"", html);
        Assert.Contains("/dashboard", html);
    }

    [Fact]
    public async Task Liveness_and_readiness_are_healthy_while_the_cluster_is_up()
    {
        Assert.Equal("Healthy", await _anonymous.GetStringAsync("/health/live"));
        Assert.Equal("Healthy", await _anonymous.GetStringAsync("/health/ready"));
    }

    [Fact]
    public async Task Metrics_are_exposed_for_prometheus()
    {
        await _anonymous.GetAsync("/health/live");

        var response = await _anonymous.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("http_server_request_duration", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        var response = await fixture.Client(GatewayFixture.OperatorKey).GetAsync("/no-such-thing");

        await response.ProblemAsync(HttpStatusCode.NotFound);
    }
}
