using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marketing.Abstractions;
using Orleans.Runtime.Messaging;
using FailingGateway = Marketing.Api.Tests.FailureTests.FailingGateway;

namespace Marketing.Api.Tests;

/// <summary>
/// Writes other than events ride through a silo's death too: each that is harmless to run twice is sent again while
/// its silo cannot be reached or leaves it unanswered; one that is not, and bad input, are not.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class WriteRetryTests(GatewayFixture fixture)
{
    private const string Campaign = """
        {"name":"Resent","budget":{"total":100,"currency":"EUR"},"variants":[{"id":"a","content":"Hello","weight":1}]}
        """;

    [Fact]
    public async Task A_product_upsert_whose_silo_cannot_be_reached_for_a_moment_is_sent_again()
    {
        var sku = $"resent-{Guid.NewGuid():N}";
        await using var gateway = new FailingGateway(fixture, new ConnectionFailedException("Unable to connect to the silo"), failFirst: 2);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.MarketerKey);

        var response = await client.PutJsonAsync($"/products/{sku}", """{"title":"Oat milk","category":"dairy","price":2.5,"stock":3}""");

        Assert.Equal("Oat milk", (await ProblemAssertions.OkJsonAsync(response)).GetProperty("title").GetString());
        Assert.Equal(3, gateway.Calls);
    }

    [Fact]
    public async Task A_bulk_import_whose_upserts_were_pending_on_a_silo_that_died_stores_every_product()
    {
        var prefix = $"bulk-resent-{Guid.NewGuid():N}";
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"), failFirst: 2);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.MarketerKey);
        var products = string.Join(',', Enumerable.Range(0, 3).Select(i => $$"""{"sku":"{{prefix}}-{{i}}","title":"Tea {{i}}","category":"drinks"}"""));

        var response = await client.PostJsonAsync("/products/bulk", $"[{products}]");

        Assert.Equal(3, (await ProblemAssertions.OkJsonAsync(response)).GetProperty("upserted").GetInt32());
        Assert.Equal(5, gateway.Calls);
        var catalogue = fixture.Client(GatewayFixture.MarketerKey);
        foreach (var i in Enumerable.Range(0, 3))
        {
            Assert.Equal(HttpStatusCode.OK, (await catalogue.GetAsync($"/products/{prefix}-{i}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_product_upsert_whose_silo_stays_unreachable_past_the_retry_time_is_a_503()
    {
        await using var gateway = new FailingGateway(
            fixture, new ConnectionFailedException("Unable to connect to the silo"), new Dictionary<string, string?> { ["Api:Writes:UnavailableRetryTime"] = "00:00:00.300" });
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.MarketerKey);

        var response = await client.PutJsonAsync("/products/gone", """{"title":"Oat milk","category":"dairy"}""");

        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.True(gateway.Calls > 1, $"the upsert was sent {gateway.Calls} time(s) before giving up");
    }

    [Fact]
    public async Task A_profile_change_left_unanswered_by_a_silo_that_died_is_sent_again()
    {
        var user = $"profile-{Guid.NewGuid():N}";
        await using var gateway = new FailingGateway(
            fixture, failure: null, new Dictionary<string, string?> { ["Api:Writes:AttemptTimeout"] = "00:00:00.500" }, failFirst: 1);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PutJsonAsync($"/users/{user}/profile", """{"attributes":{"tier":"gold"}}""");

        var shopper = await ProblemAssertions.OkJsonAsync(response);
        Assert.Equal("gold", shopper.GetProperty("attributes").GetProperty("tier").GetString());
        Assert.True(gateway.Calls >= 2, $"the change was sent {gateway.Calls} time(s)");
    }

    [Fact]
    public async Task A_consent_change_whose_silo_died_holding_it_is_sent_again()
    {
        var user = $"consent-{Guid.NewGuid():N}";
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"), failFirst: 1);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PutJsonAsync($"/users/{user}/consent", """{"marketing":false}""");

        Assert.False((await ProblemAssertions.OkJsonAsync(response)).GetProperty("consent").GetProperty("marketing").GetBoolean());
        Assert.Equal(2, gateway.Calls);
    }

    [Fact]
    public async Task Bad_input_found_by_the_grain_is_never_sent_again()
    {
        await using var gateway = new FailingGateway(fixture, new InvalidInputException("attributes", "too many"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.StorefrontKey);

        var response = await client.PutJsonAsync("/users/u-bad/profile", """{"attributes":{"tier":"gold"}}""");

        await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(1, gateway.Calls);
    }

    [Fact]
    public async Task A_campaign_launch_whose_silo_died_holding_it_is_sent_again_and_the_campaign_is_active()
    {
        var id = await CreateCampaignAsync();
        // The existence check passes; the launch itself is lost with its silo once.
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"), failFirst: 1, passFirst: 1);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.MarketerKey);

        var response = await client.PostAsync($"/campaigns/{id}/launch", null);

        Assert.Equal("active", (await ProblemAssertions.OkJsonAsync(response)).GetProperty("status").GetString());
        Assert.Equal(3, gateway.Calls);
    }

    [Fact]
    public async Task A_campaign_delete_that_may_have_run_is_not_sent_again()
    {
        var id = await CreateCampaignAsync();
        await using var gateway = new FailingGateway(fixture, new SiloUnavailableException("the silo went away"));
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.MarketerKey);

        var response = await client.DeleteAsync($"/campaigns/{id}");

        // Sent again, a delete that did run would find nothing and answer 404 for a campaign it deleted.
        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(1, gateway.Calls);
    }

    [Fact]
    public async Task A_campaign_delete_refused_before_it_ran_is_sent_again()
    {
        var id = await CreateCampaignAsync();
        await using var gateway = new FailingGateway(fixture, new ConnectionFailedException("Unable to connect to the silo"), failFirst: 1);
        var client = GatewayFactory.WithKey(gateway.CreateClient(), GatewayFixture.MarketerKey);

        var response = await client.DeleteAsync($"/campaigns/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(2, gateway.Calls);
    }

    private async Task<string> CreateCampaignAsync()
    {
        var created = await fixture.Client(GatewayFixture.MarketerKey).PostJsonAsync("/campaigns", Campaign);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }
}
