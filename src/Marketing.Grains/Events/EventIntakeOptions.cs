using System.ComponentModel.DataAnnotations;

namespace Marketing.Grains.Events;

/// <summary>Section <c>Events</c>: how shopper grains take in events.</summary>
public sealed class EventIntakeOptions
{
    public const string SectionName = "Events";

    /// <summary>
    /// How long a shopper's state may lag behind the durable log before it is written. Longer means fewer storage
    /// writes under load and a longer log tail to replay after a crash.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Events:StateFlushInterval must be between 100 ms and 1 hour.")]
    public TimeSpan StateFlushInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Write-behind state writes in flight per silo (shoppers, products and index shards together). Few enough that
    /// the event log's appends, which callers wait for, do not queue behind a crowd of state writes in storage; enough
    /// that writes keep up (at 15 ms a write, 32 in flight write about 2,000 grains a second).
    /// </summary>
    [Range(1, 4096, ErrorMessage = "Events:MaxConcurrentStateWrites must be between 1 and 4096.")]
    public int MaxConcurrentStateWrites { get; set; } = 32;

    /// <summary>
    /// How often a silo hands its tally of product interactions to the product grains (one call per product touched
    /// meanwhile). Longer means fewer calls under load and staler daily counters; a killed silo loses at most this
    /// much of the tally (the counters are advisory; the log keeps every event).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Events:ProductStatsInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan ProductStatsInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Product grains a silo's counter round calls at once. The first rounds after a start or a kill activate every
    /// product touched since, each reading its state, and those reads compete with the intake they count; few calls
    /// at a time spread them out. A bigger machine may want more, so that a round keeps up with the products touched.
    /// </summary>
    [Range(1, 1024, ErrorMessage = "Events:ProductStatsConcurrentCalls must be between 1 and 1024.")]
    public int ProductStatsConcurrentCalls { get; set; } = 2;

    /// <summary>
    /// How long a product's daily counters may lag behind its grain before they are written. Every product shoppers
    /// touch is written once per interval, so this sets how many product writes storage takes under load; a killed
    /// silo loses at most this much of its products' counters (advisory; the log keeps every event).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Events:ProductStatsWriteDelay must be between 100 ms and 1 hour.")]
    public TimeSpan ProductStatsWriteDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Acknowledged batches queued for each event subscriber before further ones are dropped for it (counted and
    /// logged; the log keeps every event). At 5,000 events a second in batches of ten, the default holds 20 s of a
    /// subscriber that stopped.
    /// </summary>
    [Range(16, 10_000_000, ErrorMessage = "Events:SubscriberQueueCapacity must be between 16 and 10000000.")]
    public int SubscriberQueueCapacity { get; set; } = 10_000;

    /// <summary>Live events per second from one shopper above which the shopper is flagged as a bot.</summary>
    [Range(1, 100_000, ErrorMessage = "Events:BotEventsPerSecond must be between 1 and 100000.")]
    public int BotEventsPerSecond { get; set; } = 50;

    /// <summary>How many recent event ids each shopper remembers to recognise resent events.</summary>
    [Range(8, 4096, ErrorMessage = "Events:DedupeWindow must be between 8 and 4096.")]
    public int DedupeWindow { get; set; } = 64;

    /// <summary>How many recent events each shopper keeps for recommendations and display.</summary>
    [Range(1, 1000, ErrorMessage = "Events:RecentEvents must be between 1 and 1000.")]
    public int RecentEvents { get; set; } = 20;
}
