using System.Net;
using System.Text;

namespace Marketing.Api.Tests;

/// <summary>Bad event requests: refused with 400/413 naming what is wrong, before any grain is called.</summary>
[Collection(GatewayCollection.Name)]
public sealed class EventValidationTests(GatewayFixture fixture)
{
    private readonly HttpClient _storefront = fixture.Client(GatewayFixture.StorefrontKey);

    [Fact]
    public async Task Unknown_type_in_a_single_event_is_named_by_field()
    {
        var response = await _storefront.PostJsonAsync("/events", """{"eventId":"e1","userId":"u1","type":"teleport","sku":"s1"}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["type"], errors.Keys);
        Assert.Contains("teleport", errors["type"][0]);
        Assert.Contains("add-to-cart", errors["type"][0]);
    }

    [Fact]
    public async Task Every_bad_event_in_a_batch_is_named_by_its_index()
    {
        var response = await _storefront.PostJsonAsync("/events", """
            [
              {"eventId":"e1","userId":"u1","type":"view","sku":"s1"},
              {"eventId":"e2","type":"view","sku":"s1"},
              {"eventId":"e3","userId":"u1","type":"view","sku":"s1","price":-1},
              {"eventId":"e4","userId":"u1","type":"purchase","orderId":"o1","lines":[{"sku":"s1","quantity":1,"price":-5}]},
              {"eventId":"e5","userId":"u1","type":"add-to-cart"},
              {"eventId":"e6","userId":"u1","type":"search","query":"boots"}
            ]
            """);

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(
            ["events[1].userId", "events[2].price", "events[3].lines[0].price", "events[4].sku"],
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Missing_user_id_and_negative_price_are_named_without_prefix_for_a_single_event()
    {
        var response = await _storefront.PostJsonAsync("/events", """{"eventId":"e1","type":"view","sku":"s1","price":-2.5}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["price", "userId"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_timestamp_far_in_the_future_is_refused()
    {
        var response = await _storefront.PostJsonAsync("/events", """{"eventId":"e1","userId":"u1","type":"view","sku":"s1","timestamp":"2999-01-01T00:00:00Z"}""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["timestamp"], errors.Keys);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_that_says_where()
    {
        var response = await _storefront.PostJsonAsync("/events", "[\n  {\"eventId\": \"e1\",\n   \"userId\": }\n]");

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
        Assert.Contains("line 3", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_value_of_the_wrong_json_type_is_named_by_field()
    {
        var response = await _storefront.PostJsonAsync("/events", """[{"eventId":"e1","userId":"u1","type":"view","sku":"s1"},{"eventId":"e2","userId":"u1","type":"view","sku":"s1","price":"cheap"}]""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["events[1].price"], errors.Keys);
        Assert.Contains("a number", errors["events[1].price"][0]);
    }

    [Fact]
    public async Task An_unknown_field_is_named_so_typos_do_not_pass_silently()
    {
        var response = await _storefront.PostJsonAsync("/events", """{"eventId":"e1","userId":"u1","type":"view","sku":"s1","prise":3}""");

        var errors = await response.ValidationErrorsAsync();
        var (field, messages) = Assert.Single(errors);
        Assert.Contains("prise", field + messages[0]);
        Assert.DoesNotContain("Marketing.Api", messages[0]);
    }

    [Fact]
    public async Task An_empty_body_is_a_400()
    {
        var response = await _storefront.PostJsonAsync("/events", "  ");

        var problem = await response.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("empty", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task More_events_than_a_batch_may_hold_are_refused()
    {
        var events = string.Join(",", Enumerable.Range(0, 1_001).Select(i => $$"""{"eventId":"e{{i}}","userId":"u1","type":"view","sku":"s1"}"""));

        var response = await _storefront.PostJsonAsync("/events", $"[{events}]");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["events"], errors.Keys);
    }

    [Fact]
    public async Task A_10_MB_body_with_a_length_is_refused_with_413()
    {
        var body = new ByteArrayContent(new byte[10 << 20]);
        body.Headers.ContentType = new("application/json");

        var response = await _storefront.PostAsync("/events", body);

        var problem = await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1,048,576", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_10_MB_body_sent_in_chunks_is_refused_with_413()
    {
        // A stream of unknown length is sent chunked, so only counting while reading can catch it.
        var body = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes("[" + new string(' ', 10 << 20) + "]")));
        body.Headers.ContentType = new("application/json");

        var response = await _storefront.PostAsync("/events", body);

        await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_bulk_product_import_has_its_own_larger_limit()
    {
        // 2 MB is over the events limit but under the bulk limit: it is parsed, and its one product is checked.
        var padding = new string(' ', 2 << 20);
        var response = await fixture.Client(GatewayFixture.OperatorKey)
            .PostJsonAsync("/products/bulk", $$"""[{"sku":"b1","category":"shoes","price":1}{{padding}}]""");

        var errors = await response.ValidationErrorsAsync();
        Assert.Equal(["products[0].title"], errors.Keys);
    }

    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
