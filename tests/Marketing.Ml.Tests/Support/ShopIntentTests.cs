using Marketing.Ml.Support;

namespace Marketing.Ml.Tests.Support;

/// <summary>The shop's intent classifier as the conversation grain will use it, on phrasings it was not trained on.</summary>
[Collection(EncoderCollection.Name)]
public sealed class ShopIntentTests(EncoderFixture fixture)
{
    // Trained once for the tests that only classify (the collection runs its tests one at a time); retraining tests
    // train their own.
    private static Task<IntentRecognizer>? _shared;

    [Theory]
    [InlineData("has my parcel left the warehouse yet", "order_status")]
    [InlineData("I'd like to send these trainers back, they are too small", "return")]
    [InlineData("when does the money for my returned item come back", "refund")]
    [InlineData("please don't ship order 881, I want to cancel it", "cancel")]
    [InlineData("do you deliver to Ireland and what does it cost", "shipping")]
    [InlineData("is this kettle made of stainless steel", "product_question")]
    [InlineData("can you suggest a good gift for my dad", "recommendation")]
    [InlineData("my visa card was declined when I tried to pay", "payment_problem")]
    [InlineData("I can't remember my password to log in", "account")]
    [InlineData("got any voucher codes for me", "discount")]
    [InlineData("let me speak with a real human being", "talk_to_person")]
    [InlineData("hello there", "greeting")]
    [InlineData("that's all, thank you, bye", "goodbye")]
    public async Task A_new_phrasing_of_a_shop_intent_is_recognised(string text, string intent)
    {
        var recognizer = await Shared();

        var prediction = await recognizer.ClassifyAsync(text);

        Assert.Equal(intent, prediction.Intent);
        Assert.False(prediction.OutOfScope, $"'{text}' was flagged out of scope at confidence {prediction.Confidence:F2}");
    }

    [Theory]
    [InlineData("what is the boiling point of water")]
    [InlineData("who painted the Mona Lisa")]
    [InlineData("write a haiku about autumn leaves")]
    public async Task A_question_the_shop_cannot_answer_is_flagged_out_of_scope(string text)
    {
        var recognizer = await Shared();

        var prediction = await recognizer.ClassifyAsync(text);

        Assert.True(prediction.OutOfScope, $"'{text}' was taken as {prediction.Intent} at confidence {prediction.Confidence:F2}");
    }

    [Fact]
    public async Task Retraining_on_an_agents_correction_changes_what_the_phrase_is_taken_for()
    {
        // Shop slang the written utterances never use: "RMA" (return merchandise authorisation).
        const string text = "I need an RMA number for the blender";
        var recognizer = await Recognizer();
        var before = await recognizer.ClassifyAsync(text);
        Assert.NotEqual("return", before.Intent);

        var outcome = await recognizer.RetrainAsync(
        [
            new LabelledText(text, "return"),
            new LabelledText("RMA please", "return"),
            new LabelledText("how do I get an RMA", "return"),
        ]);

        Assert.True(outcome.Adopted, $"held-out accuracy {outcome.PreviousAccuracy:P0} -> {outcome.NewAccuracy:P0}");
        Assert.Equal("return", (await recognizer.ClassifyAsync(text)).Intent);
    }

    [Fact]
    public async Task A_retraining_that_does_worse_on_the_held_out_utterances_keeps_the_old_model()
    {
        var recognizer = await Recognizer();
        var before = recognizer.HeldOutAccuracy();

        // A careless relabelling of the shop's own utterances: every order-status phrase called a greeting.
        var wrong = ShopSupportData.Intents().Where(e => e.Label == "order_status").Select(e => e with { Label = "greeting" }).ToList();
        var outcome = await recognizer.RetrainAsync(wrong);

        Assert.False(outcome.Adopted);
        Assert.True(outcome.NewAccuracy < outcome.PreviousAccuracy);
        Assert.Equal(before, recognizer.HeldOutAccuracy());
        Assert.Equal("order_status", (await recognizer.ClassifyAsync("where is my order")).Intent);
    }

    private Task<IntentRecognizer> Shared() => _shared ??= Recognizer();

    private Task<IntentRecognizer> Recognizer() => IntentRecognizer.ForShopAsync(fixture.Encoder);
}
