using System.ComponentModel;
using Microsoft.SemanticKernel;

namespace Marketing.Grains.Conversations.Plugins;

/// <summary>Hands the conversation to a person.</summary>
public sealed class HandOffPlugin(TurnContext turn)
{
    public const string Name = "handoff";

    [KernelFunction("hand_off")]
    [Description("Hands the conversation to a person on the support team, when the shopper asks for one or you cannot help.")]
    public string HandOff([Description("Why a person is needed")] string reason)
    {
        turn.RequestHandOff(reason);
        return "A person from the support team will take over this conversation.";
    }
}
