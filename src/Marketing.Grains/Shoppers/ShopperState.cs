using Marketing.Abstractions.Search;
using Marketing.Abstractions.Shoppers;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// A shopper's stored state. Collections stay null until used: most shoppers never set a profile or fill a cart,
/// and at a hundred thousand activations per silo every empty list counts.
/// </summary>
[GenerateSerializer, Alias("mk.UserState")]
public sealed class ShopperState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public Dictionary<string, string>? Attributes { get; set; }
    [Id(2)] public Consent Consent { get; set; } = Consent.Default;
    [Id(3)] public List<CartLine>? Cart { get; set; }
    [Id(4)] public DateTimeOffset? FirstSeenAt { get; set; }
    [Id(5)] public DateTimeOffset? LastSeenAt { get; set; }
    [Id(6)] public DateTimeOffset? LastPurchaseAt { get; set; }
    [Id(7)] public int Orders { get; set; }
    [Id(8)] public decimal Monetary { get; set; }
    [Id(9)] public long EventCount { get; set; }

    /// <summary>The sequence number of the last logged event reflected here.</summary>
    [Id(10)] public long Seq { get; set; }

    /// <summary>Recent events, oldest first by event time (late events are slotted in, not appended).</summary>
    [Id(11)] public List<RecentEvent>? Recent { get; set; }

    /// <summary>Ring of hashes of recent event ids, to recognise resent events.</summary>
    [Id(12)] public long[]? RecentIds { get; set; }
    [Id(13)] public int RecentIdsNext { get; set; }
    [Id(14)] public bool IsBot { get; set; }
    [Id(15)] public long RateSecond { get; set; }
    [Id(16)] public int RateCount { get; set; }

    /// <summary>
    /// The shopper's interest: the time-decayed weighted sum of the embeddings of what they touched, as of
    /// <see cref="InterestAsOf"/> (see <see cref="Ml.Shoppers.InterestEmbedding"/>); only its direction is used.
    /// </summary>
    [Id(17)] public float[]? InterestEmbedding { get; set; }

    [Id(18)] public DateTimeOffset InterestAsOf { get; set; }

    /// <summary>Touches applied to this state but not yet folded into the interest (their product lookups run behind).</summary>
    [Id(19)] public List<InterestTouch>? PendingInterest { get; set; }

    /// <summary>
    /// The model whose vectors <see cref="InterestEmbedding"/> sums; null when it was stored before vectors named their
    /// model. An interest of another model than the encoder's is dropped and rebuilt, never compared with new vectors.
    /// </summary>
    [Id(20)] public EmbeddingModelId? InterestModel { get; set; }
}
