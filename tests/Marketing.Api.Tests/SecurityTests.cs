using System.Net;

namespace Marketing.Api.Tests;

/// <summary>API keys decide who may call what; refusals are problems a client can read.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SecurityTests(GatewayFixture fixture)
{
    private const string ValidView = """{"eventId":"e1","userId":"u1","type":"view","sku":"s1"}""";

    [Fact]
    public async Task No_key_is_401_with_a_problem_and_a_challenge()
    {
        var response = await fixture.Client(apiKey: null).PostJsonAsync("/events", ValidView);

        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
        Assert.Contains("ApiKey", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_unknown_key_is_401()
    {
        var response = await fixture.Client("not-a-real-key-at-all").GetAsync("/categories");

        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("not recognised", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(GatewayFixture.StorefrontKey, "POST", "/admin/import/events")]
    [InlineData(GatewayFixture.StorefrontKey, "POST", "/campaigns")]
    [InlineData(GatewayFixture.StorefrontKey, "PUT", "/products/s1")]
    [InlineData(GatewayFixture.AgentKey, "POST", "/events")]
    [InlineData(GatewayFixture.AgentKey, "DELETE", "/users/u1")]
    [InlineData(GatewayFixture.MarketerKey, "GET", "/users/u1")]
    [InlineData(GatewayFixture.MarketerKey, "POST", "/events")]
    public async Task A_key_whose_role_may_not_call_an_endpoint_is_403(string key, string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT")
        {
            request.Content = new StringContent(ValidView, System.Text.Encoding.UTF8, "application/json");
        }

        var response = await fixture.Client(key).SendAsync(request);

        var problem = await response.ProblemAsync(HttpStatusCode.Forbidden);
        Assert.Contains(path, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData(GatewayFixture.OperatorKey, "/admin/import/events")]
    [InlineData(GatewayFixture.OperatorKey, "/events")]
    [InlineData(GatewayFixture.StorefrontKey, "/events")]
    public async Task Allowed_roles_get_past_authorization_to_validation(string key, string path)
    {
        var response = await fixture.Client(key).PostJsonAsync(path, """{"eventId":"e1","type":"view"}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Contains("userId", errors.Keys);
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_retry_after()
    {
        await using var gateway = new GatewayFactory(fixture, new Dictionary<string, string?>
        {
            ["Api:RateLimit:PermitsPerSecond"] = "1",
            ["Api:RateLimit:Burst"] = "2",
        });
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await client.PostJsonAsync("/events", "{}");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        Assert.NotNull(limited);
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), $"Retry-After: {limited.Headers.RetryAfter}");
        Assert.Equal(HttpStatusCode.BadRequest, statuses[0]);

        // Another key has its own bucket.
        var other = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.OperatorKey);
        Assert.Equal(HttpStatusCode.BadRequest, (await other.PostJsonAsync("/events", "{}")).StatusCode);
    }

    [Fact]
    public async Task The_gateway_will_not_start_without_api_keys_and_says_which_setting_is_missing()
    {
        await using var gateway = new GatewayFactory(fixture, new Dictionary<string, string?>
        {
            ["Api:Keys:0:Key"] = null,
            ["Api:Keys:0:Role"] = null,
            ["Api:Keys:0:Name"] = null,
            ["Api:Keys:1:Key"] = null,
            ["Api:Keys:1:Role"] = null,
            ["Api:Keys:1:Name"] = null,
            ["Api:Keys:2:Key"] = null,
            ["Api:Keys:2:Role"] = null,
            ["Api:Keys:2:Name"] = null,
            ["Api:Keys:3:Key"] = null,
            ["Api:Keys:3:Role"] = null,
            ["Api:Keys:3:Name"] = null,
        });

        var failure = Assert.ThrowsAny<Exception>(() => gateway.CreateClient());
        Assert.Contains("Api:Keys", failure.ToString());
    }

    [Fact]
    public async Task A_key_with_an_unknown_role_stops_start_up()
    {
        await using var gateway = new GatewayFactory(fixture, new Dictionary<string, string?> { ["Api:Keys:3:Role"] = "admin" });

        var failure = Assert.ThrowsAny<Exception>(() => gateway.CreateClient());
        Assert.Contains("Api:Keys:3:Role", failure.ToString());
    }
}
