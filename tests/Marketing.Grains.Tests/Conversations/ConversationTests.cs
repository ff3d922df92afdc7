using Marketing.Abstractions.Conversations;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Shoppers;
using static Marketing.Grains.Tests.ClusterFixture;

namespace Marketing.Grains.Tests.Conversations;

/// <summary>Support conversations with the default grounded responder, as a shopper and an agent would see them.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ConversationTests(ClusterFixture fixture)
{
    private async Task<(string Shopper, IConversationGrain Conversation)> StartAsync(params ShopperEvent[] events)
    {
        var shopper = $"conv-shopper-{Guid.NewGuid():N}";
        if (events.Length > 0)
        {
            await fixture.Grains.GetGrain<IShopperGrain>(shopper).Track([.. events], EventSource.Live);
            var orders = await Eventually.WaitForAsync(() => fixture.Grains.GetGrain<IShopperSupportGrain>(shopper).Orders(), o => o.Length == events.Length);
            Assert.Equal(events.Length, orders.Length);
        }

        var conversation = fixture.Grains.GetGrain<IConversationGrain>(Guid.NewGuid().ToString("N"));
        await conversation.Start(shopper);
        return (shopper, conversation);
    }

    [Fact]
    public async Task Where_is_my_order_asks_which_order_then_answers_from_the_purchase_events()
    {
        var (_, conversation) = await StartAsync(
            Purchase("p1", "ORD-7731", ("sku-a", 2, 12.5m)),
            Purchase("p2", "ORD-7790", ("sku-b", 1, 40m)));

        var asked = await conversation.Post("Where is my order?");
        Assert.Equal("order_status", asked.Shopper.Intent);
        Assert.Contains("Which order", asked.Reply!.Text, StringComparison.Ordinal);
        Assert.Contains("ORD-7731", asked.Reply.Text, StringComparison.Ordinal);

        var answered = await conversation.Post("ORD-7731");
        Assert.Equal(ConversationStatus.Bot, answered.Status);
        Assert.Contains("ORD-7731 (2 item(s), $25.00)", answered.Reply!.Text, StringComparison.Ordinal);
        Assert.Contains("being prepared", answered.Reply.Text, StringComparison.Ordinal);
        var call = Assert.Single(answered.Reply.ToolCalls, c => c.Name == "orders.order_status");
        Assert.Contains("ORD-7731", call.Arguments, StringComparison.Ordinal);
        Assert.Contains("\"Found\":true", call.Result, StringComparison.Ordinal);
        Assert.Null(answered.Reply.Awaiting);
    }

    [Fact]
    public async Task An_unknown_order_is_questioned_and_a_question_in_between_is_answered_before_asking_again()
    {
        var (_, conversation) = await StartAsync(Purchase("p1", "ORD-5512", ("sku-a", 1, 9m)));

        await conversation.Post("Where is my order?");
        var wrong = await conversation.Post("ORD-0000");
        Assert.Contains("can't find an order ORD-0000", wrong.Reply!.Text, StringComparison.Ordinal);
        Assert.Equal("order_status", wrong.Reply.Awaiting);

        var aside = await conversation.Post("How much does shipping cost?");
        Assert.Contains("Standard delivery", aside.Reply!.Text, StringComparison.Ordinal);
        Assert.Contains("which order", aside.Reply.Text, StringComparison.Ordinal);

        var answered = await conversation.Post("ORD-5512");
        Assert.Contains("Order ORD-5512", answered.Reply!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_product_question_with_a_budget_lists_catalogue_products_with_prices_within_it()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        await Task.WhenAll(
            fixture.Grains.GetGrain<IProductGrain>($"shoe-{tag}-1").Upsert(new ProductInput { Title = "Trail Running Shoes, men's", Category = "shoes", Price = 79.99m, Stock = 5 }),
            fixture.Grains.GetGrain<IProductGrain>($"shoe-{tag}-2").Upsert(new ProductInput { Title = "Lightweight Road Running Shoes", Category = "shoes", Price = 129.99m, Stock = 5 }),
            fixture.Grains.GetGrain<IProductGrain>($"shoe-{tag}-3").Upsert(new ProductInput { Title = "Cushioned Running Sneakers for women", Category = "shoes", Price = 94.5m, Stock = 5 }));
        var (_, conversation) = await StartAsync();

        var turn = await conversation.Post("I need running shoes under $100");

        Assert.Contains(turn.Shopper.Intent, new[] { "product_question", "recommendation" });
        Assert.Contains("Trail Running Shoes, men's: $79.99", turn.Reply!.Text, StringComparison.Ordinal);
        Assert.Contains("Cushioned Running Sneakers for women: $94.50", turn.Reply.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("129.99", turn.Reply.Text, StringComparison.Ordinal);
        Assert.Contains(turn.Reply.ToolCalls, c => c.Name == "catalogue.search_products" && c.Arguments.Contains("100", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_angry_message_goes_to_the_inbox_and_then_the_shoppers_messages_reach_the_agent_not_the_bot()
    {
        var (_, conversation) = await StartAsync();
        var id = conversation.GetPrimaryKeyString();

        var angry = await conversation.Post("This is absolutely terrible, worst service ever, I am furious and disgusted!");
        Assert.Equal(ConversationStatus.NeedsAgent, angry.Status);
        var inbox = await fixture.Grains.GetGrain<IConversationInboxGrain>(0).List();
        var entry = Assert.Single(inbox, e => e.ConversationId == id);
        Assert.Contains("negative sentiment", entry.Summary, StringComparison.Ordinal);

        await conversation.AgentReply("agent-ann", "I'm sorry, Ann here. Let me sort this out.");
        var next = await conversation.Post("Thank you, my order never came.");
        Assert.Null(next.Reply);
        Assert.Equal(ConversationStatus.Agent, next.Status);

        var view = (await conversation.Get())!;
        Assert.Equal("agent-ann", view.AssignedAgent);
        Assert.Equal([TurnRole.Shopper, TurnRole.Bot, TurnRole.System, TurnRole.Agent, TurnRole.Shopper], view.Turns.Select(t => t.Role));
        Assert.DoesNotContain(await fixture.Grains.GetGrain<IConversationInboxGrain>(0).List(), e => e.ConversationId == id);

        await conversation.Resolve("agent-ann");
        await Assert.ThrowsAsync<ConversationStateException>(() => conversation.AgentReply("agent-ann", "one more thing"));
    }

    [Fact]
    public async Task A_return_becomes_a_proposed_action_that_only_an_agent_approves()
    {
        var (_, conversation) = await StartAsync(Purchase("p1", "ORD-3141", ("sku-a", 1, 20m)));

        var turn = await conversation.Post("I want to return order ORD-3141");
        Assert.Contains("asked a colleague to approve the return", turn.Reply!.Text, StringComparison.Ordinal);
        var action = Assert.Single((await conversation.Get())!.ProposedActions);
        Assert.Equal(("return", "ORD-3141", ProposedActionStatus.Pending), (action.Kind, action.OrderId, action.Status));

        var decided = await conversation.Decide(action.Id, approve: true, "agent-bo");
        Assert.Equal(ProposedActionStatus.Approved, decided.ProposedActions[0].Status);
        await Assert.ThrowsAsync<ConversationStateException>(() => conversation.Decide(action.Id, approve: false, "agent-bo"));
    }

    [Fact]
    public async Task Stored_turns_mask_emails_phone_and_card_numbers_and_the_shoppers_erasure_removes_the_conversation()
    {
        var (shopper, conversation) = await StartAsync();

        await conversation.Post("Hi, I'm jo.smith@example.com, call me on +44 20 7946 0958, card 4111 1111 1111 1111");
        var stored = (await conversation.Get())!.Turns[0].Text;
        Assert.Equal("Hi, I'm [email], call me on [phone], card [card]", stored);

        await fixture.Grains.GetGrain<IShopperGrain>(shopper).Erase();
        Assert.Null(await conversation.Get());
    }
}
