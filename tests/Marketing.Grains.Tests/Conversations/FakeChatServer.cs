using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Marketing.Grains.Tests.Conversations;

/// <summary>
/// A local HTTP server that speaks the chat-completions protocol, enough for Semantic Kernel's OpenAI connector:
/// each request is answered by <c>answer</c> (its number from 0 and its JSON body), as a whole reply or a stream.
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, JsonElement, FakeAnswer> _answer;
    private readonly Task _loop;
    private int _count;

    public FakeChatServer(Func<int, JsonElement, FakeAnswer> answer)
    {
        _answer = answer;
        var port = FreePort();
        Endpoint = $"http://127.0.0.1:{port}/v1";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Endpoint { get; }

    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public static FakeAnswer Text(string text) => new(false, JsonSerializer.Serialize(new
    {
        id = "chat-1",
        @object = "chat.completion",
        created = 1_700_000_000,
        model = "test-model",
        choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
        usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
    }));

    public static FakeAnswer ToolCall(string function, object arguments) => new(false, JsonSerializer.Serialize(new
    {
        id = "chat-2",
        @object = "chat.completion",
        created = 1_700_000_000,
        model = "test-model",
        choices = new[]
        {
            new
            {
                index = 0,
                message = new
                {
                    role = "assistant",
                    content = (string?)null,
                    tool_calls = new[] { new { id = "call-1", type = "function", function = new { name = function, arguments = JsonSerializer.Serialize(arguments) } } },
                },
                finish_reason = "tool_calls",
            },
        },
        usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
    }));

    /// <summary>A streamed reply: one server-sent event per piece, then the stop chunk and [DONE].</summary>
    public static FakeAnswer Streamed(params string[] pieces)
    {
        var body = new StringBuilder();
        foreach (var (piece, i) in pieces.Select((p, i) => (p, i)))
        {
            var delta = i == 0 ? (object)new { role = "assistant", content = piece } : new { content = piece };
            body.Append("data: ").Append(JsonSerializer.Serialize(new { id = "chat-3", @object = "chat.completion.chunk", created = 1_700_000_000, model = "test-model", choices = new[] { new { index = 0, delta, finish_reason = (string?)null } } })).Append("\n\n");
        }

        body.Append("data: ").Append(JsonSerializer.Serialize(new { id = "chat-3", @object = "chat.completion.chunk", created = 1_700_000_000, model = "test-model", choices = new[] { new { index = 0, delta = new { }, finish_reason = "stop" } } })).Append("\n\n");
        return new FakeAnswer(true, body.Append("data: [DONE]\n\n").ToString());
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var request = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.Clone();
            Requests.Enqueue(request);
            var answer = _answer(Interlocked.Increment(ref _count) - 1, request);
            await Task.Delay(answer.Delay);
            var bytes = Encoding.UTF8.GetBytes(answer.Body);
            context.Response.ContentType = answer.Stream ? "text/event-stream" : "application/json";
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The client gave up (a timeout test); nothing to answer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}

public sealed record FakeAnswer(bool Stream, string Body)
{
    public TimeSpan Delay { get; init; }
}
