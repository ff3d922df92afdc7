using System.Net;

namespace Marketing.Api.Tests;

/// <summary>Profiles, consent and erasure through the gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ShopperFlowTests(GatewayFixture fixture)
{
    private readonly HttpClient _storefront = fixture.Client(GatewayFixture.StorefrontKey);

    [Fact]
    public async Task An_unknown_user_is_a_404_problem()
    {
        var response = await _storefront.GetAsync($"/users/nobody-{Guid.NewGuid():N}");

        await response.ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Profile_attributes_are_set_and_removed()
    {
        var user = await KnownUserAsync("gina");

        var set = await ProblemAssertions.OkJsonAsync(await _storefront.PutJsonAsync($"/users/{user}/profile", """{"attributes":{"tier":"gold","city":"Lyon"}}"""));
        Assert.Equal("gold", set.GetProperty("attributes").GetProperty("tier").GetString());

        var removed = await ProblemAssertions.OkJsonAsync(await _storefront.PutJsonAsync($"/users/{user}/profile", """{"attributes":{"city":null}}"""));
        Assert.False(removed.GetProperty("attributes").TryGetProperty("city", out _));
        Assert.Equal("gold", removed.GetProperty("attributes").GetProperty("tier").GetString());
    }

    [Fact]
    public async Task Consent_flags_change_one_at_a_time()
    {
        var user = await KnownUserAsync("hugo");

        var view = await ProblemAssertions.OkJsonAsync(await _storefront.PutJsonAsync($"/users/{user}/consent", """{"marketing":true}"""));

        var consent = view.GetProperty("consent");
        Assert.True(consent.GetProperty("marketing").GetBoolean());
        Assert.True(consent.GetProperty("personalisation").GetBoolean());
    }

    [Fact]
    public async Task An_erased_user_is_gone()
    {
        var user = await KnownUserAsync("ines");

        var receipt = await ProblemAssertions.OkJsonAsync(await _storefront.DeleteAsync($"/users/{user}"));

        Assert.Equal(user, receipt.GetProperty("userId").GetString());
        Assert.True(receipt.TryGetProperty("erasedAt", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await _storefront.GetAsync($"/users/{user}")).StatusCode);
    }

    private async Task<string> KnownUserAsync(string name)
    {
        var user = $"{name}-{Guid.NewGuid():N}";
        var response = await _storefront.PostJsonAsync("/events", $$"""{"eventId":"{{user}}-1","userId":"{{user}}","type":"view","sku":"s1"}""");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return user;
    }
}
