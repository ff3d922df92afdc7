using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Marketing.Grains.Conversations.Plugins;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Marketing.Grains.Conversations;

/// <summary>
/// The default responder, behind Semantic Kernel's chat-completion interface: the shopper's intent (classified by
/// the conversation grain, passed in the message's metadata) picks a form; its slot (an order number) is asked for
/// when missing and checked against the shopper's orders; the plugin is called through the kernel, and the reply is
/// built from what it returned. An unrelated question while a slot is open is answered, then the question is asked
/// again (as Rasa's forms do). What it cannot answer it says plainly.
/// </summary>
public sealed partial class GroundedChatService : IChatCompletionService
{
    public const string IntentKey = "intent";
    public const string ConfidenceKey = "confidence";
    public const string AwaitingKey = "awaiting";

    private static readonly HashSet<string> OrderIntents = ["order_status", "return", "refund", "cancel"];

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?> { ["provider"] = "grounded" };

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        ArgumentNullException.ThrowIfNull(kernel);
        var message = chatHistory.LastOrDefault(m => m.Role == AuthorRole.User);
        var text = message?.Content ?? "";
        var intent = message?.Metadata?.GetValueOrDefault(IntentKey) as string ?? "out_of_scope";
        var awaiting = chatHistory.LastOrDefault(m => m.Role == AuthorRole.Assistant)?.Metadata?.GetValueOrDefault(AwaitingKey) as string;

        var (reply, stillAwaiting) = await AnswerAsync(kernel, text, intent, awaiting, cancellationToken);
        var content = new ChatMessageContent(AuthorRole.Assistant, reply)
        {
            Metadata = new Dictionary<string, object?> { [AwaitingKey] = stillAwaiting },
        };
        return [content];
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var message in await GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken))
        {
            yield return new StreamingChatMessageContent(message.Role, message.Content) { Metadata = message.Metadata };
        }
    }

    private static async Task<(string Reply, string? Awaiting)> AnswerAsync(Kernel kernel, string text, string intent, string? awaiting, CancellationToken cancellationToken)
    {
        var orderId = OrderNumber().Match(text) is { Success: true } m ? m.Value : null;

        // An open form: an order number fills it; another question is answered and the form asked again.
        if (awaiting is not null)
        {
            if (orderId is not null || !IsInterruption(intent, awaiting))
            {
                return await FillOrderAsync(kernel, awaiting, orderId, text, cancellationToken);
            }

            var (aside, _) = await AnswerAsync(kernel, text, intent, null, cancellationToken);
            return ($"{aside}\n\nBack to your earlier question: which order is it about? {await OrderHintAsync(kernel, cancellationToken)}", awaiting);
        }

        if (OrderIntents.Contains(intent))
        {
            return await FillOrderAsync(kernel, intent, orderId, text, cancellationToken);
        }

        switch (intent)
        {
            case "product_question" or "recommendation":
                return (await ProductsAsync(kernel, text, cancellationToken), null);
            case "shipping":
                var shipping = await InvokeAsync<ShippingInfo>(kernel, ShippingPlugin.Name, "shipping_info", new(), cancellationToken);
                return ($"Orders ship within {shipping.ProcessingDays} working day(s). Standard delivery takes {shipping.StandardDays} days and costs " +
                    $"{Money(shipping.StandardPrice)} (free from {Money(shipping.FreeFrom)}); express takes {shipping.ExpressDays} day(s) for {Money(shipping.ExpressPrice)}.", null);
            case "talk_to_person" or "complaint":
                var said = await InvokeAsync<string>(kernel, HandOffPlugin.Name, "hand_off", new() { ["reason"] = intent == "complaint" ? "complaint" : "asked for a person" }, cancellationToken);
                return ($"I'm sorry about the trouble. {said}", null);
            case "greeting":
                return ("Hello! I can tell you where your order is, help with returns, refunds and shipping, or find products. What can I do for you?", null);
            case "goodbye":
                return ("Thank you for getting in touch. Goodbye!", null);
            case "payment_problem" or "account" or "discount":
                return ($"I can't help with {intent.Replace('_', ' ')} questions myself. Say \"talk to a person\" and someone from our team will take over.", null);
            default:
                return ("I'm sorry, I don't know that. I can help with orders, returns, refunds, shipping and finding products, or hand you to a person.", null);
        }
    }

    /// <summary>Whether the text holds something that looks like an order number (a slot's answer).</summary>
    public static bool HasOrderNumber(string text) => OrderNumber().IsMatch(text);

    private static bool IsInterruption(string intent, string awaiting) =>
        intent != awaiting && intent is not ("out_of_scope" or "greeting") && !(OrderIntents.Contains(intent) && OrderIntents.Contains(awaiting));

    private static async Task<(string, string?)> FillOrderAsync(Kernel kernel, string form, string? orderId, string text, CancellationToken cancellationToken)
    {
        if (orderId is null)
        {
            return ($"Which order is it about? {await OrderHintAsync(kernel, cancellationToken)}", form);
        }

        if (form == "order_status")
        {
            var status = await InvokeAsync<OrderStatus>(kernel, OrdersPlugin.Name, "order_status", new() { ["orderId"] = orderId }, cancellationToken);
            if (!status.Found)
            {
                return ($"I can't find an order {orderId} on your account. {await OrderHintAsync(kernel, cancellationToken)}", form);
            }

            var when = status.Status switch
            {
                "delivered" => $"it should have arrived by {Day(status.ArrivesBy)}",
                "shipped" => $"it shipped on {Day(status.ShipsBy)} and should arrive by {Day(status.ArrivesBy)}",
                _ => $"it ships by {Day(status.ShipsBy)} and should arrive by {Day(status.ArrivesBy)}",
            };
            return ($"Order {status.OrderId} ({status.Items} item(s), {Money(status.Total)}) was placed on {Day(status.PlacedAt)} and is {status.Status}: {when}.", null);
        }

        var eligibility = await InvokeAsync<ReturnEligibility>(kernel, ReturnsPlugin.Name, "return_eligibility", new() { ["orderId"] = orderId }, cancellationToken);
        if (!eligibility.Found)
        {
            return ($"I can't find an order {orderId} on your account. {await OrderHintAsync(kernel, cancellationToken)}", form);
        }

        if (form == "cancel")
        {
            if (!eligibility.Cancellable)
            {
                return ($"Order {eligibility.OrderId} has already shipped, so it can't be cancelled; you can return it once it arrives. {eligibility.Policy}", null);
            }

            await InvokeAsync<string>(kernel, ReturnsPlugin.Name, "propose_cancellation", new() { ["orderId"] = eligibility.OrderId, ["reason"] = text }, cancellationToken);
            return ($"Order {eligibility.OrderId} hasn't shipped yet. I've asked a colleague to approve its cancellation; you'll hear from us here.", null);
        }

        if (!eligibility.Returnable)
        {
            return ($"Order {eligibility.OrderId} is past the return window (it closed on {Day(eligibility.ReturnBy)}). {eligibility.Policy}", null);
        }

        await InvokeAsync<string>(kernel, ReturnsPlugin.Name, "propose_return", new() { ["orderId"] = eligibility.OrderId, ["reason"] = text }, cancellationToken);
        return ($"Order {eligibility.OrderId} can be returned until {Day(eligibility.ReturnBy)} and refunded in full. I've asked a colleague to approve the return; you'll hear from us here.", null);
    }

    private static async Task<string> OrderHintAsync(Kernel kernel, CancellationToken cancellationToken)
    {
        var orders = await InvokeAsync<IReadOnlyList<OrderSummary>>(kernel, OrdersPlugin.Name, "list_orders", new(), cancellationToken);
        return orders.Count == 0
            ? "I don't see any orders on your account yet; please give me the order number from your confirmation."
            : "Your recent orders: " + string.Join(", ", orders.Select(o => $"{o.OrderId} ({Day(o.PlacedAt)}, {Money(o.Total)})")) + ".";
    }

    private static async Task<string> ProductsAsync(Kernel kernel, string text, CancellationToken cancellationToken)
    {
        decimal? maxPrice = PriceCap().Match(text) is { Success: true } cap && decimal.TryParse(cap.Groups["price"].Value, NumberStyles.Number, CultureInfo.InvariantCulture, out var p) ? p : null;
        var offers = await InvokeAsync<IReadOnlyList<ProductOffer>>(kernel, CataloguePlugin.Name, "search_products", new() { ["query"] = text, ["maxPrice"] = maxPrice }, cancellationToken);
        if (offers.Count == 0)
        {
            return maxPrice is null ? "I couldn't find anything like that in our catalogue." : $"I couldn't find anything like that under {Money(maxPrice.Value)}.";
        }

        return "Here is what I found:\n" + string.Join("\n", offers.Select(o => $"- {o.Title}: {Money(o.Price)}{(o.InStock ? "" : " (out of stock)")}"));
    }

    private static async Task<T> InvokeAsync<T>(Kernel kernel, string plugin, string function, KernelArguments arguments, CancellationToken cancellationToken)
    {
        var result = await kernel.InvokeAsync(plugin, function, arguments, cancellationToken);
        return result.GetValue<T>() ?? throw new InvalidOperationException($"{plugin}.{function} returned nothing.");
    }

    private static string Money(decimal amount) => amount.ToString("$#,0.00", CultureInfo.InvariantCulture);

    private static string Day(DateTimeOffset? at) => at?.ToString("d MMMM yyyy", CultureInfo.InvariantCulture) ?? "an unknown date";

    // An order number: a token with a digit in it, not a price and not a bare small count.
    [GeneratedRegex(@"(?<![\w$.])(?=[\w-]*\d)[A-Za-z][\w-]*|(?<![\w$.])\d{3,}(?![\w.,])", RegexOptions.CultureInvariant)]
    private static partial Regex OrderNumber();

    [GeneratedRegex(@"(?:under|below|less than|up to|max(?:imum)?|cheaper than)\s*\$?\s*(?<price>\d+(?:\.\d+)?)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PriceCap();
}
