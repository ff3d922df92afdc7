using Marketing.Abstractions.Conversations;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Shoppers;
using Marketing.Grains.Conversations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests.Conversations;

/// <summary>The OpenAI-compatible provider through Semantic Kernel's connector, against a local chat-completions server.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ChatEndpointTests(ClusterFixture fixture)
{
    private SupportResponder Responder(string endpoint, bool stream = false, double timeoutSeconds = 10) =>
        new(fixture.Grains, Options.Create(new SupportOptions { Chat = new() { Endpoint = endpoint, Model = "test-model", Stream = stream, Timeout = TimeSpan.FromSeconds(timeoutSeconds) } }),
            TimeProvider.System, NullLogger<SupportResponder>.Instance);

    private static ConversationTurn Shopper(string text, string intent) =>
        new() { Role = TurnRole.Shopper, Text = text, At = DateTimeOffset.UtcNow, Intent = intent, Confidence = 0.9f };

    [Fact]
    public async Task The_model_calls_a_shop_function_and_answers_from_its_result()
    {
        var shopper = $"chat-shopper-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<IShopperGrain>(shopper).Track([Purchase("p1", "ORD-4242", ("sku-a", 3, 5m))], EventSource.Live);
        await Eventually.WaitForAsync(() => fixture.Grains.GetGrain<IShopperSupportGrain>(shopper).Orders(), o => o.Length == 1);
        await using var server = new FakeChatServer((n, _) => n == 0
            ? FakeChatServer.ToolCall("orders-order_status", new { orderId = "ORD-4242" })
            : FakeChatServer.Text("Your order ORD-4242 is being prepared."));

        var reply = await Responder(server.Endpoint).ReplyAsync(shopper, [Shopper("where is ORD-4242?", "order_status")]);

        Assert.Equal("Your order ORD-4242 is being prepared.", reply.Text);
        Assert.Null(reply.Note);
        var call = Assert.Single(reply.ToolCalls);
        Assert.Equal("orders.order_status", call.Name);
        Assert.Contains("\"Found\":true", call.Result, StringComparison.Ordinal);

        // The first request offered the shop's functions; the second carried the function's result back.
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Contains(requests[0].GetProperty("tools").EnumerateArray(), t => t.GetProperty("function").GetProperty("name").GetString() == "catalogue-search_products");
        var toolMessage = requests[1].GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Contains("being prepared", toolMessage.GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_reply_is_assembled_from_its_pieces()
    {
        await using var server = new FakeChatServer((_, _) => FakeChatServer.Streamed("Standard delivery ", "takes four ", "days."));

        var reply = await Responder(server.Endpoint, stream: true).ReplyAsync("chat-shopper-stream", [Shopper("how long is delivery?", "shipping")]);

        Assert.Equal("Standard delivery takes four days.", reply.Text);
        Assert.True(server.Requests.Single().GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task An_endpoint_that_is_down_falls_back_to_the_grounded_responder_and_says_so()
    {
        var down = $"http://127.0.0.1:{FakeChatServer.FreePort()}/v1";

        var reply = await Responder(down, timeoutSeconds: 3).ReplyAsync("chat-shopper-down", [Shopper("how much is shipping?", "shipping")]);

        Assert.Contains("Standard delivery", reply.Text, StringComparison.Ordinal);
        Assert.Contains("grounded responder answered instead", reply.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_endpoint_is_abandoned_after_the_timeout()
    {
        await using var server = new FakeChatServer((_, _) => FakeChatServer.Text("too late") with { Delay = TimeSpan.FromSeconds(10) });

        var reply = await Responder(server.Endpoint, timeoutSeconds: 1).ReplyAsync("chat-shopper-slow", [Shopper("how much is shipping?", "shipping")]);

        Assert.Contains("Standard delivery", reply.Text, StringComparison.Ordinal);
        Assert.Contains("did not answer within 1 s", reply.Note, StringComparison.Ordinal);
    }
}
