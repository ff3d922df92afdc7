using System.Net;

namespace Marketing.Api.Tests;

/// <summary>Users, products and campaigns refuse bad input with the field named, before any grain is called.</summary>
[Collection(GatewayCollection.Name)]
public sealed class InputValidationTests(GatewayFixture fixture)
{
    private readonly HttpClient _operator = fixture.Client(GatewayFixture.OperatorKey);

    [Fact]
    public async Task A_product_without_title_or_category_and_with_negative_price_is_refused()
    {
        var response = await _operator.PutJsonAsync("/products/s1", """{"price":-1}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["category", "price", "title"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_product_body_naming_another_sku_is_refused()
    {
        var response = await _operator.PutJsonAsync("/products/s1", """{"sku":"s2","title":"Boot","category":"shoes","price":10}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["sku"], errors.Keys);
    }

    [Fact]
    public async Task A_bulk_import_names_each_bad_item_and_repeated_skus()
    {
        var response = await _operator.PostJsonAsync("/products/bulk", """
            [
              {"sku":"b1","title":"Boot","category":"shoes","price":10},
              {"sku":"b2","title":"","category":"shoes","price":10},
              {"sku":"b1","title":"Boot again","category":"shoes","price":12},
              {"title":"No sku","category":"shoes","price":1, "stock": -3}
            ]
            """);

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(
            ["products[1].title", "products[2].sku", "products[3].sku", "products[3].stock"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Listing_products_needs_a_category_and_a_sane_page()
    {
        var response = await _operator.GetAsync("/products?limit=5000&offset=-1");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["category", "limit", "offset"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_campaign_with_a_bad_budget_and_variants_is_refused()
    {
        var response = await _operator.PostJsonAsync("/campaigns", """
            {"name":"Spring","budget":{"total":100,"dailyCap":500,"currency":"EURO"},
             "variants":[{"id":"a","content":"Hello","weight":1},{"id":"a","content":"","weight":0}]}
            """);

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(
            ["budget.currency", "budget.dailyCap", "variants[1].content", "variants[1].id", "variants[1].weight"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_campaign_with_an_unknown_objective_names_the_field()
    {
        var response = await _operator.PostJsonAsync("/campaigns", """{"name":"Spring","objective":"world-domination","budget":{"total":1,"currency":"EUR"}}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["objective"], errors.Keys);
    }

    [Fact]
    public async Task A_campaign_without_budget_says_so_once()
    {
        var response = await _operator.PostJsonAsync("/campaigns", """{"name":"Spring"}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["budget"], errors.Keys);
    }

    [Fact]
    public async Task Profile_attributes_over_the_limits_are_refused()
    {
        var response = await _operator.PutJsonAsync("/users/u1/profile", $$$"""{"attributes":{"{{{new string('k', 100)}}}":"v","tier":"{{{new string('x', 600)}}}"}}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(2, errors.Count);
        Assert.Contains("attributes.tier", errors.Keys);
    }

    [Fact]
    public async Task A_consent_change_must_change_something()
    {
        var response = await _operator.PutJsonAsync("/users/u1/consent", "{}");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["body"], errors.Keys);
    }

    [Fact]
    public async Task A_consent_flag_that_is_not_a_boolean_is_named()
    {
        var response = await _operator.PutJsonAsync("/users/u1/consent", """{"marketing":"yes"}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["marketing"], errors.Keys);
    }

    [Fact]
    public async Task An_over_long_user_id_is_refused()
    {
        var response = await _operator.GetAsync("/users/" + new string('u', 200));

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["userId"], errors.Keys);
    }

    [Fact]
    public async Task A_profile_body_over_the_default_limit_is_413()
    {
        var body = new ByteArrayContent(new byte[2 << 20]);
        body.Headers.ContentType = new("application/json");

        var response = await _operator.PutAsync("/users/u1/profile", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
