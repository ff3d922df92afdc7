using System.ComponentModel.DataAnnotations;

namespace Marketing.Grains.Conversations;

/// <summary>Support conversations: the chat provider, escalation thresholds, and the shop's policies the plugins quote.</summary>
public sealed class SupportOptions
{
    public const string SectionName = "Support";

    /// <summary>
    /// Whether the silo trains the intent and sentiment models in the background as it starts (else on the first turn,
    /// which then waits for it). Off only where a silo never converses and its start must stay light (some tests).
    /// </summary>
    public bool TrainAtStart { get; set; } = true;

    /// <summary>Turns handed to the model each turn (the most recent ones).</summary>
    [Range(2, 200)]
    public int HistoryTurns { get; set; } = 20;

    /// <summary>Longest shopper or agent message, in characters.</summary>
    [Range(1, 20_000)]
    public int MaxMessageLength { get; set; } = 2_000;

    /// <summary>A shopper turn whose sentiment score (-1..1) is at or below this hands the conversation to a person.</summary>
    [Range(-1.0, 0.0)]
    public double NegativeSentiment { get; set; } = -0.4;

    /// <summary>Two shopper turns in a row whose intent confidence is below this hand the conversation to a person.</summary>
    [Range(0.0, 1.0)]
    public double LowConfidence { get; set; } = 0.5;

    /// <summary>Days after an order within which it may be returned (and refunded).</summary>
    [Range(0, 365)]
    public int ReturnWindowDays { get; set; } = 30;

    /// <summary>Days after an order within which it may still be cancelled (before it ships).</summary>
    [Range(0, 30)]
    public int ProcessingDays { get; set; } = 1;

    /// <summary>Standard delivery time, in days after shipping.</summary>
    [Range(1, 60)]
    public int DeliveryDays { get; set; } = 4;

    [Range(1, 60)]
    public int ExpressDeliveryDays { get; set; } = 1;

    [Range(0, 100_000)]
    public decimal ExpressPrice { get; set; } = 9.90m;

    /// <summary>Orders from this total up ship free.</summary>
    [Range(0, 100_000)]
    public decimal FreeShippingFrom { get; set; } = 50m;

    [Range(0, 100_000)]
    public decimal StandardShippingPrice { get; set; } = 4.90m;

    public ChatEndpointOptions Chat { get; set; } = new();
}

/// <summary>
/// An OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI's v1 API, Ollama, vLLM). With no
/// <see cref="Endpoint"/> the shop's own grounded responder answers.
/// </summary>
public sealed class ChatEndpointOptions
{
    /// <summary>Base address, e.g. <c>http://127.0.0.1:11434/v1</c> for Ollama; empty: the grounded responder.</summary>
    public string? Endpoint { get; set; }

    public string Model { get; set; } = "gpt-4o-mini";

    public string? ApiKey { get; set; }

    /// <summary>A turn that takes longer than this falls back to the grounded responder.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Ask for a streamed reply (server-sent events) and assemble it.</summary>
    public bool Stream { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);
}
