using System.Text;
using Marketing.Abstractions.Conversations;
using Marketing.Grains.Conversations.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace Marketing.Grains.Conversations;

/// <summary>What the responder made of a turn: the reply, the slot it now waits for, what its plugins did, and any note.</summary>
public sealed record ResponderReply(
    string Text,
    string? Awaiting,
    IReadOnlyList<ToolCallRecord> ToolCalls,
    IReadOnlyList<ActionProposal> Proposals,
    string? HandOffReason,
    string? Note);

/// <summary>
/// Answers a shopper's turn through Semantic Kernel: a kernel per turn with the shop plugins bound to the shopper,
/// and the chat provider the configuration names (an OpenAI-compatible endpoint with automatic function calling, or
/// <see cref="GroundedChatService"/>). An endpoint that fails or outlasts <see cref="ChatEndpointOptions.Timeout"/>
/// is replaced for that turn by the grounded responder, and the turn says so.
/// </summary>
public sealed partial class SupportResponder
{
    public const string SystemPrompt =
        "You are the shop's customer-support assistant. Answer only from what the functions return; never invent order " +
        "details, prices or policies. Ask for the order number when you need one. Returns and cancellations are only " +
        "proposed (an agent approves them). Hand the conversation to a person when the shopper asks for one or you cannot help.";

    private readonly IGrainFactory _grains;
    private readonly SupportOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SupportResponder> _logger;
    private readonly GroundedChatService _grounded = new();
    private readonly IChatCompletionService? _endpoint;

    public SupportResponder(IGrainFactory grains, IOptions<SupportOptions> options, TimeProvider time, ILogger<SupportResponder> logger)
    {
        _grains = grains;
        _options = options.Value;
        _time = time;
        _logger = logger;
        var chat = _options.Chat;
        if (chat.IsConfigured)
        {
#pragma warning disable SKEXP0010 // A custom endpoint is what makes Ollama, vLLM and test servers reachable.
            _endpoint = new OpenAIChatCompletionService(chat.Model, new Uri(chat.Endpoint!), chat.ApiKey ?? "none");
#pragma warning restore SKEXP0010
        }
    }

    /// <summary>"grounded", or "openai-compatible (model at endpoint)".</summary>
    public string Provider => _endpoint is null ? "grounded" : $"openai-compatible ({_options.Chat.Model} at {_options.Chat.Endpoint})";

    public async Task<ResponderReply> ReplyAsync(string shopper, IReadOnlyList<ConversationTurn> history, CancellationToken cancellationToken = default)
    {
        var chat = ToChatHistory(history);
        if (_endpoint is not null)
        {
            var turn = new TurnContext(shopper);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.Chat.Timeout);
            try
            {
                var text = await AskEndpointAsync(KernelFor(turn, _endpoint), chat, timeout.Token);
                return new ResponderReply(text, null, [.. turn.Calls], [.. turn.Proposals], turn.HandOffReason, null);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not OutOfMemoryException)
            {
                LogEndpointFailed(e, _options.Chat.Endpoint!, e.GetType().Name);
                var fallback = await GroundedAsync(shopper, chat, cancellationToken);
                var why = timeout.IsCancellationRequested ? $"did not answer within {_options.Chat.Timeout.TotalSeconds:0.#} s" : $"failed ({e.GetType().Name})";
                return fallback with { Note = $"The chat endpoint {why}; the shop's grounded responder answered instead." };
            }
        }

        return await GroundedAsync(shopper, chat, cancellationToken);
    }

    private async Task<ResponderReply> GroundedAsync(string shopper, ChatHistory chat, CancellationToken cancellationToken)
    {
        var turn = new TurnContext(shopper);
        var replies = await _grounded.GetChatMessageContentsAsync(chat, null, KernelFor(turn, _grounded), cancellationToken);
        var reply = replies[0];
        return new ResponderReply(reply.Content ?? "", reply.Metadata?.GetValueOrDefault(GroundedChatService.AwaitingKey) as string, [.. turn.Calls], [.. turn.Proposals], turn.HandOffReason, null);
    }

    private async Task<string> AskEndpointAsync(Kernel kernel, ChatHistory chat, CancellationToken cancellationToken)
    {
        var settings = new OpenAIPromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var service = kernel.GetRequiredService<IChatCompletionService>();
        if (!_options.Chat.Stream)
        {
            var reply = await service.GetChatMessageContentAsync(chat, settings, kernel, cancellationToken);
            return reply.Content ?? "";
        }

        var text = new StringBuilder();
        await foreach (var chunk in service.GetStreamingChatMessageContentsAsync(chat, settings, kernel, cancellationToken))
        {
            text.Append(chunk.Content);
        }

        return text.ToString();
    }

    private Kernel KernelFor(TurnContext turn, IChatCompletionService service)
    {
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(service);
        var kernel = builder.Build();
        kernel.Plugins.AddFromObject(new CataloguePlugin(_grains), CataloguePlugin.Name);
        kernel.Plugins.AddFromObject(new OrdersPlugin(_grains, turn, _options, _time), OrdersPlugin.Name);
        kernel.Plugins.AddFromObject(new ReturnsPlugin(_grains, turn, _options, _time), ReturnsPlugin.Name);
        kernel.Plugins.AddFromObject(new ShippingPlugin(_options), ShippingPlugin.Name);
        kernel.Plugins.AddFromObject(new HandOffPlugin(turn), HandOffPlugin.Name);
        kernel.FunctionInvocationFilters.Add(turn);
        return kernel;
    }

    /// <summary>The last <see cref="SupportOptions.HistoryTurns"/> turns as Semantic Kernel's history, with the system prompt.</summary>
    private ChatHistory ToChatHistory(IReadOnlyList<ConversationTurn> turns)
    {
        var chat = new ChatHistory(SystemPrompt);
        foreach (var turn in turns.Skip(Math.Max(0, turns.Count - _options.HistoryTurns)))
        {
            switch (turn.Role)
            {
                case TurnRole.Shopper:
                    chat.Add(new ChatMessageContent(AuthorRole.User, turn.Text)
                    {
                        Metadata = new Dictionary<string, object?> { [GroundedChatService.IntentKey] = turn.Intent, [GroundedChatService.ConfidenceKey] = turn.Confidence },
                    });
                    break;
                case TurnRole.Bot or TurnRole.Agent:
                    chat.Add(new ChatMessageContent(AuthorRole.Assistant, turn.Text)
                    {
                        Metadata = new Dictionary<string, object?> { [GroundedChatService.AwaitingKey] = turn.Awaiting },
                    });
                    break;
            }
        }

        return chat;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Chat endpoint {Endpoint} failed ({ExceptionType}); the grounded responder answers this turn")]
    private partial void LogEndpointFailed(Exception exception, string endpoint, string exceptionType);
}
