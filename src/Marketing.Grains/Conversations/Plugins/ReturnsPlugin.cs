using System.ComponentModel;
using Marketing.Abstractions.Conversations;
using Microsoft.SemanticKernel;

namespace Marketing.Grains.Conversations.Plugins;

public sealed record ReturnEligibility(string OrderId, bool Found, bool Returnable, bool Cancellable, DateTimeOffset? ReturnBy, string Policy);

/// <summary>
/// Return, refund and cancellation: eligibility by the shop's policy, and proposals. Proposing never starts a return
/// or cancels anything: it stores a proposed action on the conversation for an agent to approve.
/// </summary>
public sealed class ReturnsPlugin(IGrainFactory grains, TurnContext turn, SupportOptions options, TimeProvider time)
{
    public const string Name = "returns";

    [KernelFunction("return_eligibility")]
    [Description("Whether an order can still be returned and refunded, or cancelled, under the shop's policy.")]
    public async Task<ReturnEligibility> EligibilityAsync([Description("The order number")] string orderId)
    {
        var policy = $"Returns and refunds within {options.ReturnWindowDays} days of the order; cancellation until it ships ({options.ProcessingDays} day(s)).";
        var orders = await grains.GetGrain<IShopperSupportGrain>(turn.Shopper).Orders();
        var order = orders.FirstOrDefault(o => string.Equals(o.OrderId, orderId.Trim(), StringComparison.OrdinalIgnoreCase));
        if (order is null)
        {
            return new ReturnEligibility(orderId, false, false, false, null, policy);
        }

        var now = time.GetUtcNow();
        var returnBy = order.PlacedAt.AddDays(options.ReturnWindowDays);
        return new ReturnEligibility(order.OrderId, true, now <= returnBy, now < order.PlacedAt.AddDays(options.ProcessingDays), returnBy, policy);
    }

    [KernelFunction("propose_return")]
    [Description("Proposes starting a return and refund for an order; an agent approves it before anything happens.")]
    public string ProposeReturn([Description("The order number")] string orderId, [Description("Why, in the shopper's words")] string reason)
    {
        turn.Propose(new ActionProposal("return", orderId, reason));
        return $"A return of order {orderId} is proposed and waits for an agent's approval.";
    }

    [KernelFunction("propose_cancellation")]
    [Description("Proposes cancelling an order that has not shipped; an agent approves it before anything happens.")]
    public string ProposeCancellation([Description("The order number")] string orderId, [Description("Why, in the shopper's words")] string reason)
    {
        turn.Propose(new ActionProposal("cancel", orderId, reason));
        return $"Cancelling order {orderId} is proposed and waits for an agent's approval.";
    }
}
