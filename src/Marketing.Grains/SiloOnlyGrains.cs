using System.Collections.Immutable;
using Marketing.Abstractions.Products;
using Marketing.Abstractions.Search;
using Marketing.Grains.Shoppers;
using Marketing.Grains.Storage;

namespace Marketing.Grains;

// The grain interfaces only silos call: recovery, hand-offs, write-behind and counter hand-over. Clients (the gateway,
// the CLI, Marketing.Client) see the ones in Marketing.Abstractions; these may change with the silo alone.

/// <summary>Lets the silo's recovery service wake a shopper so it replays a dead silo's log tail.</summary>
[Alias("mk.IUserRecoveryGrain")]
public interface IShopperRecoveryGrain : IGrainWithStringKey
{
    /// <summary>Applies any pending log records; returns how many were applied by this call.</summary>
    [Alias("Recover")]
    Task<int> Recover();

    /// <summary>
    /// Applies the events an earlier activation on <paramref name="from"/> did not write (any held already, by event
    /// id, are skipped). On that same silo they are written behind like any others; on another they are written at once.
    /// </summary>
    [Alias("Adopt")]
    Task<Adoption> Adopt(ImmutableArray<UnsavedEvent> unsaved, SiloAddress from);
}

/// <summary>What <see cref="IShopperRecoveryGrain.Adopt"/> did: events applied, and whether the state holding them is written.</summary>
[GenerateSerializer, Immutable, Alias("mk.Adoption")]
public readonly record struct Adoption([property: Id(0)] int Applied, [property: Id(1)] bool Written);

/// <summary>One silo's <see cref="UnsavedHandOff"/>, for a shopper's next activation on another silo to take from.</summary>
[Alias("mk.IUnsavedHandOffGrain")]
public interface IUnsavedHandOffGrain : IGrainWithStringKey
{
    /// <summary>
    /// A copy of the events handed off here for <paramref name="shopper"/> (empty when none wait). They stay here
    /// until <see cref="Written"/>, and may still be delivered meanwhile: applying them twice is harmless (by event id).
    /// </summary>
    [Alias("Take")]
    Task<HandOffCopy> Take(string shopper);

    /// <summary>The caller stored the events it copied, logged up to <paramref name="loggedUpTo"/>: they are dropped here.</summary>
    [Alias("Written")]
    Task Written(string shopper, DateTimeOffset loggedUpTo);
}

/// <summary>
/// What <see cref="IUnsavedHandOffGrain.Take"/> answers: the events waiting for the shopper (empty when none), and
/// how many shoppers' events that silo still holds, so the asking silo can stop asking once it holds none.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.HandOffCopy")]
public readonly record struct HandOffCopy([property: Id(0)] ImmutableArray<UnsavedEvent> Events, [property: Id(1)] int Waiting);

/// <summary>A grain whose state is written behind by <see cref="DeferredWrite"/>: the silo's scheduler calls this when a write is due.</summary>
[Alias("mk.IWriteBehindGrain")]
public interface IWriteBehindGrain : IGrain
{
    [Alias("FlushWriteBehind")]
    Task FlushWriteBehind();
}

/// <summary>Receives interaction counts aggregated on each silo; kept apart from the public product interface.</summary>
[Alias("mk.IProductStatsSink")]
public interface IProductStatsSink : IGrainWithStringKey
{
    [Alias("AddInteractions")]
    Task AddInteractions(ImmutableArray<DailyProductStats> deltas);
}

/// <summary>
/// A product's daily counters, keyed by SKU like the product: a grain of their own, so that counting an interaction
/// never activates (and reads) the catalogue record, and reading the record never reads the counters.
/// </summary>
[Alias("mk.IProductCountersGrain")]
public interface IProductCountersGrain : IProductStatsSink
{
    /// <summary>Counts per day, newest first, at most <paramref name="days"/> days.</summary>
    [Alias("GetStats")]
    Task<ImmutableArray<DailyProductStats>> GetStats(int days);

    /// <summary>Adds counters an earlier build stored with the product's record; once per product, later calls change nothing.</summary>
    [Alias("AdoptFromRecord")]
    Task AdoptFromRecord(ImmutableArray<DailyProductStats> days);

    /// <summary>Removes the counters (the product was deleted).</summary>
    [Alias("Clear")]
    Task Clear();
}

/// <summary>One shard of the product vector index; the shard of a SKU is <see cref="SearchShards.Of"/>.</summary>
[Alias("mk.IProductIndexGrain")]
public interface IProductIndexGrain : IGrainWithIntegerKey
{
    /// <summary>Adds the product or replaces its vector (of whichever model made it), category and stock flag.</summary>
    [Alias("Upsert")]
    Task Upsert(IndexedProduct product);

    /// <summary>Removes the product; false when this shard did not hold it.</summary>
    [Alias("Remove")]
    Task<bool> Remove(string sku);

    /// <summary>The best matches in this shard, best first, among the products whose vectors the query's model made.</summary>
    [Alias("Search")]
    Task<ImmutableArray<ScoredSku>> Search(VectorQuery query);

    /// <summary>The best BM25 matches for the query's words in this shard, best first (texts of every model's products).</summary>
    [Alias("SearchText")]
    Task<ImmutableArray<ScoredSku>> SearchText(TextQuery query);

    /// <summary>How many products this shard holds.</summary>
    [Alias("Count")]
    Task<int> Count();

    /// <summary>How many products this shard holds per model that made their vectors.</summary>
    [Alias("CountByModel")]
    Task<ImmutableArray<IndexedByModel>> CountByModel();

    /// <summary>Whether the shard is taking its products' entries again after a crash (searches may miss some meanwhile).</summary>
    [Alias("IsRepairing")]
    Task<bool> IsRepairing();
}
