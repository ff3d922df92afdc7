using System.Net;
using System.Text.Json;

namespace Marketing.Api.Tests.Conversations;

/// <summary>Support conversations through the gateway, as the storefront's chat and an agent use them.</summary>
[Collection(GatewayCollection.Name)]
public sealed class ConversationFlowTests(GatewayFixture fixture)
{
    private readonly HttpClient _shop = fixture.Client(GatewayFixture.StorefrontKey);
    private readonly HttpClient _agent = fixture.Client(GatewayFixture.AgentKey);

    private async Task<string> StartAsync()
    {
        var started = await _shop.PostJsonAsync("/conversations", $$"""{"userId":"conv-{{Guid.NewGuid():N}}"}""");
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = JsonDocument.Parse(await started.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        Assert.Equal($"/conversations/{id}", started.Headers.Location?.ToString());
        return id;
    }

    private async Task<JsonElement> SayAsync(string id, string text) =>
        await ProblemAssertions.OkJsonAsync(await _shop.PostJsonAsync($"/conversations/{id}/messages", JsonSerializer.Serialize(new { text })));

    [Fact]
    public async Task An_angry_shopper_reaches_the_inbox_and_the_agents_reply_and_the_next_message_are_in_the_transcript()
    {
        var id = await StartAsync();
        var greeting = await SayAsync(id, "Hello there");
        Assert.Equal("bot", greeting.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(greeting.GetProperty("reply").GetProperty("text").GetString()));

        var angry = await SayAsync(id, "This is a disgrace, the worst shop ever, I am furious!");
        Assert.Equal("needs-agent", angry.GetProperty("status").GetString());

        // The storefront may not read the inbox; the agent sees the conversation there.
        Assert.Equal(HttpStatusCode.Forbidden, (await _shop.GetAsync("/conversations/inbox")).StatusCode);
        var inbox = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync("/conversations/inbox"));
        Assert.Contains(inbox.EnumerateArray(), e => e.GetProperty("conversationId").GetString() == id);

        await ProblemAssertions.OkJsonAsync(await _agent.PostJsonAsync($"/conversations/{id}/reply", """{"text":"I'm so sorry. I'm looking into it now."}"""));
        var next = await SayAsync(id, "Thanks, it was order 5561.");
        Assert.Equal(JsonValueKind.Null, next.GetProperty("reply").ValueKind);
        Assert.Equal("agent", next.GetProperty("status").GetString());

        var transcript = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync($"/conversations/{id}"));
        var turns = transcript.GetProperty("turns").EnumerateArray().ToList();
        Assert.Equal("test-agent", transcript.GetProperty("assignedAgent").GetString());
        Assert.Contains(turns, t => t.GetProperty("role").GetString() == "agent" && t.GetProperty("text").GetString()!.Contains("looking into it", StringComparison.Ordinal));
        Assert.Equal("Thanks, it was order 5561.", turns[^1].GetProperty("text").GetString());
        Assert.Equal("shopper", turns[^1].GetProperty("role").GetString());
        Assert.False(string.IsNullOrEmpty(turns[^1].GetProperty("intent").GetString()));
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_the_field()
    {
        var id = await StartAsync();

        Assert.Contains("userId", (await (await _shop.PostJsonAsync("/conversations", "{}")).ValidationErrorsAsync()).Keys);
        Assert.Contains("text", (await (await _shop.PostJsonAsync($"/conversations/{id}/messages", """{"text":"  "}""")).ValidationErrorsAsync()).Keys);
        Assert.Contains("text", (await (await _shop.PostJsonAsync($"/conversations/{id}/messages", JsonSerializer.Serialize(new { text = new string('a', 2001) }))).ValidationErrorsAsync()).Keys);
        var transcript = await ProblemAssertions.OkJsonAsync(await _shop.GetAsync($"/conversations/{id}"));
        Assert.Empty(transcript.GetProperty("turns").EnumerateArray());

        await (await _shop.PostJsonAsync($"/conversations/nope-{Guid.NewGuid():N}/messages", """{"text":"hi"}""")).ProblemAsync(HttpStatusCode.NotFound);
        await (await _agent.GetAsync($"/conversations/nope-{Guid.NewGuid():N}")).ProblemAsync(HttpStatusCode.NotFound);

        await ProblemAssertions.OkJsonAsync(await _agent.PostAsync($"/conversations/{id}/resolve", null));
        var conflict = await (await _agent.PostJsonAsync($"/conversations/{id}/reply", """{"text":"Anything else?"}""")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.True(conflict.GetProperty("errors").TryGetProperty("status", out _), conflict.ToString());
        Assert.Contains("resolved", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chat_page_and_the_conversation_endpoints_are_served_and_documented()
    {
        var page = await fixture.Client(null).GetStringAsync("/chat");
        Assert.Contains("/conversations", page, StringComparison.Ordinal);

        var document = await ProblemAssertions.OkJsonAsync(await _agent.GetAsync("/openapi/v1.json"));
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/conversations/{id}/messages", out _));
        Assert.True(paths.TryGetProperty("/conversations/inbox", out _));
    }
}
