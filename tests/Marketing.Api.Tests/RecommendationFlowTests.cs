using System.Net;
using System.Text.Json;

namespace Marketing.Api.Tests;

/// <summary>Recommendations through the gateway: bought-together after orders, consent, erasure, roles and bad input.</summary>
[Collection(GatewayCollection.Name)]
public sealed class RecommendationFlowTests(GatewayFixture fixture)
{
    private readonly HttpClient _shop = fixture.Client(GatewayFixture.StorefrontKey);
    private readonly HttpClient _marketer = fixture.Client(GatewayFixture.MarketerKey);

    [Fact]
    public async Task Orders_teach_bought_together_and_a_shopper_with_one_in_the_cart_is_offered_the_other()
    {
        var (tea, honey) = await TwoProductsAsync();
        await BuyTogetherAsync($"buyer-{Guid.NewGuid():N}", tea, honey);

        var also = await ProblemAssertions.OkJsonAsync(await _shop.GetAsync($"/products/{tea}/also-bought?k=5"));
        var item = Assert.Single(also.GetProperty("items").EnumerateArray());
        Assert.Equal(honey, item.GetProperty("sku").GetString());
        Assert.Equal("Bought together with Green tea", item.GetProperty("reason").GetProperty("text").GetString());

        var user = $"cart-{Guid.NewGuid():N}";
        await SendAsync($$"""[{"eventId":"c1","userId":"{{user}}","type":"add-to-cart","sku":"{{tea}}","quantity":1}]""");
        var cart = await ProblemAssertions.OkJsonAsync(await _shop.GetAsync($"/users/{user}/recommendations?context=cart&k=10"));
        Assert.True(cart.GetProperty("personalised").GetBoolean());
        var items = cart.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(items, i => i.GetProperty("sku").GetString() == honey && i.GetProperty("reason").GetProperty("kind").GetString() == "bought-together");
        Assert.DoesNotContain(items, i => i.GetProperty("sku").GetString() == tea);
        Assert.All(items, i => Assert.False(string.IsNullOrEmpty(i.GetProperty("reason").GetProperty("text").GetString())));
    }

    [Fact]
    public async Task An_unknown_a_refusing_and_an_erased_shopper_get_the_non_personalised_list()
    {
        var (tea, honey) = await TwoProductsAsync();
        var user = $"private-{Guid.NewGuid():N}";
        await BuyTogetherAsync(user, tea, honey);
        await SendAsync($$"""[{"eventId":"v1","userId":"{{user}}","type":"view","sku":"{{tea}}"}]""");
        Assert.True((await RecommendAsync(user)).GetProperty("personalised").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await _shop.PutAsync($"/users/{user}/consent", Json("""{"personalisation":false}"""))).StatusCode);

        // The popular and trending lists move while this test's own events arrive: compare two lists taken together.
        JsonElement refused, unknown;
        var settle = DateTime.UtcNow.AddSeconds(10);
        do
        {
            refused = await RecommendAsync(user);
            unknown = await RecommendAsync($"nobody-{Guid.NewGuid():N}");
        }
        while (!Skus(unknown).SequenceEqual(Skus(refused)) && DateTime.UtcNow < settle && await Delay());
        Assert.False(unknown.GetProperty("personalised").GetBoolean());
        Assert.False(refused.GetProperty("personalised").GetBoolean());
        Assert.Equal(Skus(unknown), Skus(refused));

        Assert.Equal(HttpStatusCode.OK, (await _shop.DeleteAsync($"/users/{user}")).StatusCode);
        Assert.False((await RecommendAsync(user)).GetProperty("personalised").GetBoolean());

        // Their order was the only one with both: once the erasure reaches the statistics, nothing is bought together.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        JsonElement also;
        do
        {
            also = await ProblemAssertions.OkJsonAsync(await _shop.GetAsync($"/products/{tea}/also-bought"));
        }
        while (also.GetProperty("items").GetArrayLength() > 0 && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal(0, also.GetProperty("items").GetArrayLength());
    }

    [Theory]
    [InlineData("k=0", "k")]
    [InlineData("k=101", "k")]
    [InlineData("context=checkout", "context")]
    [InlineData("context=product", "sku")]
    public async Task Bad_input_is_a_400_naming_the_field(string query, string field)
    {
        var errors = await (await _shop.GetAsync($"/users/someone/recommendations?{query}")).ValidationErrorsAsync();
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public async Task An_unknown_sku_is_a_404_naming_the_field_and_roles_are_those_of_the_shopper_and_catalogue_reads()
    {
        var page = await (await _shop.GetAsync($"/users/someone/recommendations?context=product&sku=none-{Guid.NewGuid():N}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.StartsWith("sku:", page.GetProperty("detail").GetString());
        Assert.Equal("sku", page.GetProperty("field").GetString());
        await (await _shop.GetAsync($"/products/none-{Guid.NewGuid():N}/also-bought")).ProblemAsync(HttpStatusCode.NotFound);
        var alsoK = await (await _shop.GetAsync("/products/any/also-bought?k=0")).ValidationErrorsAsync();
        Assert.Contains("k", alsoK.Keys);

        Assert.Equal(HttpStatusCode.Forbidden, (await _marketer.GetAsync("/users/someone/recommendations")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Client(null).GetAsync("/users/someone/recommendations")).StatusCode);
    }

    private async Task<(string Tea, string Honey)> TwoProductsAsync()
    {
        var (tea, honey) = ($"tea-{Guid.NewGuid():N}", $"honey-{Guid.NewGuid():N}");
        await ProblemAssertions.OkJsonAsync(await _marketer.PutJsonAsync($"/products/{tea}", """{"title":"Green tea","category":"tea","price":3,"stock":5}"""));
        await ProblemAssertions.OkJsonAsync(await _marketer.PutJsonAsync($"/products/{honey}", """{"title":"Acacia honey","category":"spreads","price":6,"stock":5}"""));
        return (tea, honey);
    }

    private Task BuyTogetherAsync(string user, string a, string b) => SendAsync($$"""
        [{"eventId":"o-{{a}}","userId":"{{user}}","type":"purchase","orderId":"o1","lines":[{"sku":"{{a}}","quantity":1,"price":3},{"sku":"{{b}}","quantity":1,"price":6}]}]
        """);

    private async Task SendAsync(string events) =>
        Assert.Equal(HttpStatusCode.Accepted, (await _shop.PostJsonAsync("/events", events)).StatusCode);

    private async Task<JsonElement> RecommendAsync(string user) =>
        await ProblemAssertions.OkJsonAsync(await _shop.GetAsync($"/users/{user}/recommendations?k=10"));

    private static List<string?> Skus(JsonElement list) => [.. list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sku").GetString())];

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }
}
