using System.Collections.Concurrent;
using System.Text.Json;
using Marketing.Abstractions.Conversations;
using Microsoft.SemanticKernel;

namespace Marketing.Grains.Conversations;

/// <summary>A side effect a plugin was asked for, kept for an agent to approve instead of being carried out.</summary>
public sealed record ActionProposal(string Kind, string OrderId, string Reason);

/// <summary>
/// What one turn's plugins saw and asked for: the shopper they serve, the functions called (recorded by this
/// filter, whoever called them: the grounded responder or a model), proposed side effects, and a hand-off request.
/// </summary>
public sealed class TurnContext(string shopper) : IFunctionInvocationFilter
{
    private readonly ConcurrentQueue<ToolCallRecord> _calls = new();
    private readonly ConcurrentQueue<ActionProposal> _proposals = new();

    public string Shopper { get; } = shopper;

    public string? HandOffReason { get; private set; }

    public IReadOnlyCollection<ToolCallRecord> Calls => _calls;

    public IReadOnlyCollection<ActionProposal> Proposals => _proposals;

    public void Propose(ActionProposal proposal) => _proposals.Enqueue(proposal);

    public void RequestHandOff(string reason) => HandOffReason ??= reason;

    public async Task OnFunctionInvocationAsync(FunctionInvocationContext context, Func<FunctionInvocationContext, Task> next)
    {
        var arguments = JsonSerializer.Serialize(context.Arguments.ToDictionary(a => a.Key, a => a.Value?.ToString()));
        try
        {
            await next(context);
            _calls.Enqueue(new ToolCallRecord($"{context.Function.PluginName}.{context.Function.Name}", arguments, Describe(context.Result.GetValue<object>())));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _calls.Enqueue(new ToolCallRecord($"{context.Function.PluginName}.{context.Function.Name}", arguments, $"error: {e.Message}"));
            throw;
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s,
        _ => JsonSerializer.Serialize(value, value.GetType()),
    };
}
