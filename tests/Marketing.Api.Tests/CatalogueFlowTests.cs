using System.Net;

namespace Marketing.Api.Tests;

/// <summary>Products and categories through the gateway into real product and directory grains.</summary>
[Collection(GatewayCollection.Name)]
public sealed class CatalogueFlowTests(GatewayFixture fixture)
{
    private readonly HttpClient _marketer = fixture.Client(GatewayFixture.MarketerKey);
    private readonly HttpClient _agent = fixture.Client(GatewayFixture.AgentKey);

    [Fact]
    public async Task A_product_is_upserted_read_listed_and_deleted()
    {
        var category = $"Boots {Guid.NewGuid():N}";
        var sku = $"boot-{Guid.NewGuid():N}";

        var put = await ProblemAssertions.OkJsonAsync(await _marketer.PutJsonAsync($"/products/{sku}", $$$"""
            {"title":"Trail boot","category":"{{{category}}}","brand":"Peak","price":89.5,"stock":4,"attributes":{"colour":"red"}}
            """));
        Assert.Equal(sku, put.GetProperty("sku").GetString());

        var got = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync($"/products/{sku}"));
        Assert.Equal("Trail boot", got.GetProperty("title").GetString());
        Assert.Equal(89.5m, got.GetProperty("price").GetDecimal());
        Assert.Equal("red", got.GetProperty("attributes").GetProperty("colour").GetString());

        // Categories match without regard to case.
        var page = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync($"/products?category={Uri.EscapeDataString(category.ToUpperInvariant())}"));
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal(sku, page.GetProperty("items")[0].GetProperty("sku").GetString());

        var categories = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync("/categories"));
        Assert.Contains(categories.EnumerateArray(), c =>
            string.Equals(c.GetProperty("category").GetString(), category, StringComparison.OrdinalIgnoreCase)
            && c.GetProperty("products").GetInt32() == 1);

        Assert.Equal(HttpStatusCode.NoContent, (await _marketer.DeleteAsync($"/products/{sku}")).StatusCode);
        await (await _agent.GetAsync($"/products/{sku}")).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await _marketer.DeleteAsync($"/products/{sku}")).StatusCode);
        var empty = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync($"/products?category={Uri.EscapeDataString(category)}"));
        Assert.Equal(0, empty.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_bulk_import_stores_every_product_and_pages_through_the_category()
    {
        var category = $"Socks {Guid.NewGuid():N}";
        var items = Enumerable.Range(0, 60).Select(i =>
            $$"""{"sku":"sock-{{category.GetHashCode():x}}-{{i:D3}}","title":"Sock {{i}}","category":"{{category}}","price":{{i}}}""");

        var summary = await ProblemAssertions.OkJsonAsync(await fixture.Client(GatewayFixture.OperatorKey)
            .PostJsonAsync("/products/bulk", $"[{string.Join(",", items)}]"));
        Assert.Equal(60, summary.GetProperty("upserted").GetInt32());

        var page = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync($"/products?category={Uri.EscapeDataString(category)}&offset=50&limit=20"));
        Assert.Equal(60, page.GetProperty("total").GetInt32());
        Assert.Equal(10, page.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_unknown_product_is_a_404_problem()
    {
        await (await _agent.GetAsync($"/products/none-{Guid.NewGuid():N}")).ProblemAsync(HttpStatusCode.NotFound);
    }
}
