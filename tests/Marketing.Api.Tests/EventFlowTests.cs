using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Marketing.Api.Tests;

/// <summary>Events through the gateway into real shopper grains, seen back through GET /users.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EventFlowTests(GatewayFixture fixture)
{
    private readonly HttpClient _storefront = fixture.Client(GatewayFixture.StorefrontKey);

    [Fact]
    public async Task Posted_events_show_in_the_shoppers_counts_cart_and_value()
    {
        var user = NewId("alice");

        var response = await _storefront.PostJsonAsync("/events", $$"""
            [
              {"eventId":"{{user}}-1","userId":"{{user}}","type":"view","sku":"boot-1"},
              {"eventId":"{{user}}-2","userId":"{{user}}","type":"add-to-cart","sku":"boot-1","quantity":2,"price":40},
              {"eventId":"{{user}}-3","userId":"{{user}}","type":"purchase","orderId":"o-{{user}}","lines":[{"sku":"boot-1","quantity":2,"price":40}],"amount":80}
            ]
            """);

        var summary = await AcceptedAsync(response);
        Assert.Equal(3, summary.GetProperty("accepted").GetInt32());
        Assert.Equal(0, summary.GetProperty("duplicates").GetInt32());
        Assert.Equal(1, summary.GetProperty("shoppers").GetInt32());

        var shopper = await GetUserAsync(user);
        Assert.Equal(user, shopper.GetProperty("userId").GetString());
        Assert.Equal(3, shopper.GetProperty("eventCount").GetInt64());
        Assert.Equal(1, shopper.GetProperty("value").GetProperty("orders").GetInt32());
        Assert.Equal(80m, shopper.GetProperty("value").GetProperty("monetary").GetDecimal());
        var types = shopper.GetProperty("recentEvents").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Contains("add-to-cart", types);
        Assert.Contains("purchase", types);
    }

    [Fact]
    public async Task A_single_event_object_is_accepted_and_its_timestamp_defaults_to_now()
    {
        var user = NewId("bob");

        var response = await _storefront.PostJsonAsync("/events", $$"""{"eventId":"{{user}}-1","userId":"{{user}}","type":"search","query":"red boots"}""");

        Assert.Equal(1, (await AcceptedAsync(response)).GetProperty("accepted").GetInt32());
        var recent = (await GetUserAsync(user)).GetProperty("recentEvents")[0];
        var at = recent.GetProperty("timestamp").GetDateTimeOffset();
        Assert.InRange(DateTimeOffset.UtcNow - at, TimeSpan.Zero, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task A_resent_event_counts_once()
    {
        var user = NewId("carol");
        var batch = $$"""
            [{"eventId":"{{user}}-1","userId":"{{user}}","type":"view","sku":"s1"},
             {"eventId":"{{user}}-2","userId":"{{user}}","type":"click","sku":"s1"}]
            """;
        await AcceptedAsync(await _storefront.PostJsonAsync("/events", batch));

        var resent = await AcceptedAsync(await _storefront.PostJsonAsync("/events", batch));

        Assert.Equal(0, resent.GetProperty("accepted").GetInt32());
        Assert.Equal(2, resent.GetProperty("duplicates").GetInt32());
        Assert.Equal(2, (await GetUserAsync(user)).GetProperty("eventCount").GetInt64());
    }

    [Fact]
    public async Task One_request_can_carry_many_shoppers()
    {
        var users = Enumerable.Range(0, 20).Select(i => NewId($"many{i}")).ToList();
        var events = users.SelectMany((u, i) => new[]
        {
            $$"""{"eventId":"{{u}}-a","userId":"{{u}}","type":"view","sku":"s{{i}}"}""",
            $$"""{"eventId":"{{u}}-b","userId":"{{u}}","type":"view","sku":"s{{i + 1}}"}""",
        });

        var summary = await AcceptedAsync(await _storefront.PostJsonAsync("/events", $"[{string.Join(",", events)}]"));

        Assert.Equal(40, summary.GetProperty("accepted").GetInt32());
        Assert.Equal(20, summary.GetProperty("shoppers").GetInt32());
        Assert.Equal(2, (await GetUserAsync(users[^1])).GetProperty("eventCount").GetInt64());
    }

    [Fact]
    public async Task A_batch_with_one_bad_event_changes_nothing()
    {
        var known = NewId("dave");
        var stranger = NewId("erin");
        await AcceptedAsync(await _storefront.PostJsonAsync("/events", $$"""{"eventId":"{{known}}-1","userId":"{{known}}","type":"view","sku":"s1"}"""));

        var response = await _storefront.PostJsonAsync("/events", $$"""
            [
              {"eventId":"{{known}}-2","userId":"{{known}}","type":"view","sku":"s2"},
              {"eventId":"{{stranger}}-1","userId":"{{stranger}}","type":"view","sku":"s1"},
              {"eventId":"{{stranger}}-2","userId":"{{stranger}}","type":"purchase","orderId":"o1","lines":[]}
            ]
            """);

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["events[2].lines"], errors.Keys);
        Assert.Equal(1, (await GetUserAsync(known)).GetProperty("eventCount").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await _storefront.GetAsync($"/users/{stranger}")).StatusCode);
    }

    [Fact]
    public async Task Operators_import_history_without_bot_checks()
    {
        var user = NewId("frank");
        var start = DateTimeOffset.UtcNow.AddYears(-1);
        // Far more events per second than live traffic may send: an import of history is not a bot.
        var events = Enumerable.Range(0, 200).Select(i =>
            $$"""{"eventId":"{{user}}-{{i}}","userId":"{{user}}","type":"view","sku":"s{{i % 7}}","timestamp":"{{start.AddSeconds(i):O}}"}""");

        var summary = await AcceptedAsync(await fixture.Client(GatewayFixture.OperatorKey)
            .PostJsonAsync("/admin/import/events", $"[{string.Join(",", events)}]"));

        Assert.Equal(200, summary.GetProperty("accepted").GetInt32());
        Assert.Equal(0, summary.GetProperty("flaggedAsBot").GetInt32());
        var shopper = await GetUserAsync(user);
        Assert.False(shopper.GetProperty("isBot").GetBoolean());
        Assert.Equal(200, shopper.GetProperty("eventCount").GetInt64());
    }

    [Fact]
    public async Task A_burst_of_live_events_from_one_shopper_is_flagged_as_a_bot()
    {
        var user = NewId("bot");
        var events = Enumerable.Range(0, 300).Select(i => $$"""{"eventId":"{{user}}-{{i}}","userId":"{{user}}","type":"view","sku":"s1"}""");

        var summary = await AcceptedAsync(await _storefront.PostJsonAsync("/events", $"[{string.Join(",", events)}]"));

        Assert.Equal(1, summary.GetProperty("flaggedAsBot").GetInt32());
    }

    private static string NewId(string name) => $"{name}-{Guid.NewGuid():N}";

    private static async Task<JsonElement> AcceptedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<JsonElement> GetUserAsync(string user)
    {
        var response = await _storefront.GetAsync($"/users/{user}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
