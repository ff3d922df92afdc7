using System.Net;
using System.Text.Json;

namespace Marketing.Api.Tests;

/// <summary>Campaign lifecycle through the gateway, with conflicts as 409 problems.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CampaignFlowTests(GatewayFixture fixture)
{
    private const string Definition = """
        {"name":"Spring boots","objective":"conversion","budget":{"total":1000,"dailyCap":100,"currency":"EUR"},
         "variants":[{"id":"a","content":"Boots for spring","weight":1},{"id":"b","content":"Spring into boots"}]}
        """;

    private readonly HttpClient _marketer = fixture.Client(GatewayFixture.MarketerKey);

    [Fact]
    public async Task A_campaign_is_created_launched_paused_and_ended()
    {
        var created = await _marketer.PostJsonAsync("/campaigns", Definition);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var campaign = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var id = campaign.GetProperty("id").GetString()!;
        Assert.Equal($"/campaigns/{id}", created.Headers.Location?.ToString());
        Assert.Equal("draft", campaign.GetProperty("status").GetString());
        Assert.Equal("conversion", campaign.GetProperty("definition").GetProperty("objective").GetString());

        var list = await ProblemAssertions.OkJsonAsync(await _marketer.GetAsync("/campaigns"));
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("id").GetString() == id);

        Assert.Equal("active", (await ProblemAssertions.OkJsonAsync(await _marketer.PostAsync($"/campaigns/{id}/launch", null))).GetProperty("status").GetString());
        Assert.Equal("paused", (await ProblemAssertions.OkJsonAsync(await _marketer.PostAsync($"/campaigns/{id}/pause", null))).GetProperty("status").GetString());
        Assert.Equal("ended", (await ProblemAssertions.OkJsonAsync(await _marketer.PostAsync($"/campaigns/{id}/end", null))).GetProperty("status").GetString());
        Assert.Equal("ended", (await ProblemAssertions.OkJsonAsync(await _marketer.GetAsync($"/campaigns/{id}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Changes_the_status_does_not_allow_are_409()
    {
        var id = $"c-{Guid.NewGuid():N}";
        var created = await _marketer.PostJsonAsync("/campaigns", Definition.Replace("{\"name\"", $"{{\"id\":\"{id}\",\"name\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        // Pausing a draft, redefining an active campaign, and relaunching an ended one are all refused.
        var pause = await (await _marketer.PostAsync($"/campaigns/{id}/pause", null)).ProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("draft", pause.GetProperty("detail").GetString());
        await ProblemAssertions.OkJsonAsync(await _marketer.PostAsync($"/campaigns/{id}/launch", null));
        await (await _marketer.PutJsonAsync($"/campaigns/{id}", Definition)).ProblemAsync(HttpStatusCode.Conflict);
        await ProblemAssertions.OkJsonAsync(await _marketer.PostAsync($"/campaigns/{id}/end", null));
        await (await _marketer.PostAsync($"/campaigns/{id}/launch", null)).ProblemAsync(HttpStatusCode.Conflict);

        // And an id that is taken cannot be created again.
        await (await _marketer.PostJsonAsync("/campaigns", $$$"""{"id":"{{{id}}}","name":"Again","budget":{"total":1,"currency":"EUR"}}"""))
            .ProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_campaign_without_variants_cannot_launch()
    {
        var created = await _marketer.PostJsonAsync("/campaigns", """{"name":"Empty","budget":{"total":10,"currency":"EUR"}}""");
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var problem = await (await _marketer.PostAsync($"/campaigns/{id}/launch", null)).ProblemAsync(HttpStatusCode.Conflict);

        Assert.Contains("variant", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_deleted_campaign_is_gone_and_unknown_ones_are_404()
    {
        var id = $"c-{Guid.NewGuid():N}";
        await _marketer.PutJsonAsync($"/campaigns/{id}", Definition);

        Assert.Equal(HttpStatusCode.NoContent, (await _marketer.DeleteAsync($"/campaigns/{id}")).StatusCode);

        await (await _marketer.GetAsync($"/campaigns/{id}")).ProblemAsync(HttpStatusCode.NotFound);
        await (await _marketer.PostAsync($"/campaigns/{id}/launch", null)).ProblemAsync(HttpStatusCode.NotFound);
        var list = await ProblemAssertions.OkJsonAsync(await _marketer.GetAsync("/campaigns"));
        Assert.DoesNotContain(list.EnumerateArray(), c => c.GetProperty("id").GetString() == id);
    }
}
