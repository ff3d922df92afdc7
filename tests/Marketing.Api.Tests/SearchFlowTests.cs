using System.Net;
using System.Text.Json;
using Marketing.Ml.Embeddings;

namespace Marketing.Api.Tests;

/// <summary>Semantic search, similar products and shopper interests through the gateway into real grains and the real encoder.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SearchFlowTests(GatewayFixture fixture)
{
    private readonly HttpClient _marketer = fixture.Client(GatewayFixture.MarketerKey);
    private readonly HttpClient _storefront = fixture.Client(GatewayFixture.StorefrontKey);

    [Fact]
    public async Task Products_imported_in_bulk_are_found_by_meaning_within_their_category()
    {
        var (category, skus) = await ImportAsync();

        var found = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync($"/search?q=cheesy+pizza&k=3&category={Uri.EscapeDataString(category)}"));

        var hits = found.GetProperty("hits").EnumerateArray().ToList();
        Assert.Equal("cheesy pizza", found.GetProperty("query").GetString());
        Assert.Equal(3, hits.Count);
        Assert.Equal(skus["pizza"], hits[0].GetProperty("sku").GetString());
        Assert.Equal("Stuffed Crust Five Cheese Pizza", hits[0].GetProperty("title").GetString());
        Assert.True(hits[0].GetProperty("score").GetSingle() > hits[1].GetProperty("score").GetSingle());
    }

    [Fact]
    public async Task Each_search_mode_answers_and_lexical_finds_a_product_by_its_sku()
    {
        var (category, skus) = await ImportAsync();
        var inCategory = $"&category={Uri.EscapeDataString(category)}";

        var bySku = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync($"/search?q={skus["dog"]}&k=1&mode=lexical{inCategory}"));
        var dense = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync($"/search?q=shampoo&k=2&mode=DENSE{inCategory}"));
        var hybrid = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync($"/search?q=shampoo&k=2&mode=hybrid{inCategory}"));

        Assert.Equal(skus["dog"], bySku.GetProperty("hits")[0].GetProperty("sku").GetString());
        Assert.Equal(0, bySku.GetProperty("embedMilliseconds").GetDouble());
        Assert.Equal(skus["shampoo"], dense.GetProperty("hits")[0].GetProperty("sku").GetString());
        Assert.Equal(skus["shampoo"], hybrid.GetProperty("hits")[0].GetProperty("sku").GetString());
    }

    [Fact]
    public async Task Similar_products_leave_the_product_out_and_an_unknown_one_is_404()
    {
        var (category, skus) = await ImportAsync();

        var similar = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync($"/products/{skus["shampoo"]}/similar?k=5&category={Uri.EscapeDataString(category)}"));

        var found = similar.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("sku").GetString()).ToList();
        Assert.Equal(3, found.Count);
        Assert.DoesNotContain(skus["shampoo"], found);
        Assert.Equal(skus["conditioner"], found[0]);
        await (await _storefront.GetAsync($"/products/none-{Guid.NewGuid():N}/similar")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_shoppers_interests_follow_what_they_viewed()
    {
        var (category, skus) = await ImportAsync();
        var user = $"fan-{Guid.NewGuid():N}";
        var events = string.Join(",", new[] { "shampoo", "conditioner" }.Select((k, i) =>
            $$"""{"eventId":"{{user}}-{{i}}","userId":"{{user}}","type":"view","sku":"{{skus[k]}}"}"""));
        Assert.Equal(HttpStatusCode.Accepted, (await _storefront.PostJsonAsync("/events", $"[{events}]")).StatusCode);

        var interests = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync($"/users/{user}/interests?k=4&category={Uri.EscapeDataString(category)}"));

        var top = interests.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("sku").GetString()).Take(2).ToHashSet();
        Assert.Equal([skus["shampoo"], skus["conditioner"]], top);
        await (await _storefront.GetAsync($"/users/nobody-{Guid.NewGuid():N}/interests")).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/search", "q")]
    [InlineData("/search?q=%20", "q")]
    [InlineData("/search?q=pizza&k=0", "k")]
    [InlineData("/search?q=pizza&k=101", "k")]
    [InlineData("/search?q=pizza&mode=fuzzy", "mode")]
    [InlineData("/search?q=pizza&mode=1", "mode")]
    [InlineData("/products/x/similar?k=500", "k")]
    [InlineData("/users/someone/interests?k=-1", "k")]
    public async Task A_bad_search_is_a_problem_naming_the_field(string path, string field)
    {
        var errors = await (await _storefront.GetAsync(path)).ValidationErrorsAsync();
        Assert.Contains(field, errors.Keys);
    }

    [Fact]
    public async Task A_query_longer_than_the_limit_is_refused()
    {
        var errors = await (await _storefront.GetAsync($"/search?q={new string('a', 1_001)}")).ValidationErrorsAsync();
        Assert.Contains("q", errors.Keys);
    }

    [Fact]
    public async Task Reindex_is_for_operators_and_puts_every_product_back()
    {
        await ImportAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await _storefront.PostAsync("/search/reindex", null)).StatusCode);

        var summary = await ProblemAssertions.OkJsonAsync(await fixture.Client(GatewayFixture.OperatorKey).PostAsync("/search/reindex", null));
        var status = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync("/search/status"));

        Assert.True(summary.GetProperty("reindexed").GetInt32() >= 4);
        Assert.Equal(summary.GetProperty("indexed").GetInt32(), status.GetProperty("indexedProducts").GetInt32());
        Assert.Equal(0, status.GetProperty("repairingShards").GetInt32());
        Assert.Equal("Cpu", status.GetProperty("encoder").GetProperty("provider").GetString());
        Assert.Equal(384, status.GetProperty("encoder").GetProperty("dimensions").GetInt32());

        // Encoder:Precision=Auto, as this machine's CPU decides it, and why.
        var expected = PrecisionChoice.For(EncoderPrecision.Auto, CpuFeatures.Current);
        Assert.Equal(expected.Precision.ToString(), status.GetProperty("encoder").GetProperty("precision").GetString());
        Assert.Equal(expected.Reason, status.GetProperty("encoder").GetProperty("precisionReason").GetString());
        Assert.Equal(0, summary.GetProperty("otherModelProducts").GetInt32());
    }

    [Fact]
    public async Task Status_names_the_model_the_vectors_come_from_and_no_products_of_another()
    {
        await ImportAsync();

        var status = await ProblemAssertions.OkJsonAsync(await _storefront.GetAsync("/search/status"));

        var model = status.GetProperty("encoder").GetProperty("model");
        Assert.Equal("all-MiniLM-L6-v2", model.GetProperty("name").GetString());
        Assert.Equal(384, model.GetProperty("dimensions").GetInt32());
        Assert.Matches(@"^all-MiniLM-L6-v2@[0-9a-f]{12}/384d/mean/[0-9a-f]{8}-uncased-256$", status.GetProperty("model").GetString());
        Assert.Equal(0, status.GetProperty("otherModelProducts").GetInt32());
        Assert.Empty(status.GetProperty("otherModels").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("note").ValueKind);
    }

    /// <summary>Four real Instacart products in a category of their own; returns the category and SKUs by short name.</summary>
    private async Task<(string Category, Dictionary<string, string> Skus)> ImportAsync()
    {
        var category = $"Aisle {Guid.NewGuid():N}";
        var skus = new Dictionary<string, string>
        {
            ["pizza"] = $"{category[6..]}-269",
            ["shampoo"] = $"{category[6..]}-498",
            ["conditioner"] = $"{category[6..]}-372",
            ["dog"] = $"{category[6..]}-236",
        };
        var titles = new Dictionary<string, string>
        {
            ["pizza"] = "Stuffed Crust Five Cheese Pizza",
            ["shampoo"] = "Daily Moisture Shampoo",
            ["conditioner"] = "Moisture Rich Sweet Orange & Argan Conditioner",
            ["dog"] = "Chicken Meatballs Dog Treats",
        };
        var items = skus.Select(s => JsonSerializer.Serialize(new { sku = s.Value, title = titles[s.Key], category, price = 4.5, stock = 3 }));
        var summary = await ProblemAssertions.OkJsonAsync(await _marketer.PostJsonAsync("/products/bulk", $"[{string.Join(",", items)}]"));
        Assert.Equal(4, summary.GetProperty("upserted").GetInt32());
        return (category, skus);
    }
}
