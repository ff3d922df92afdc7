using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;

namespace Marketing.Cli.Import;

/// <summary>A catalogue record ready for <c>IProductGrain.Upsert</c>.</summary>
public sealed record ProductRecord(string Sku, ProductInput Input);

/// <summary>An event and how many source rows it was built from (an Instacart order is one row per line).</summary>
public sealed record SourcedEvent(ShopperEvent Event, int Rows);

/// <summary>One shopper's events in time order, addressed by the shop's user id (pseudonymised when sent).</summary>
public sealed record ShopperHistory(string UserId, IReadOnlyList<SourcedEvent> Events);

/// <summary>
/// A dataset read, mapped and validated, before anything is sent: the products and shopper histories, and the
/// tallies of rows read and rejected per stage.
/// </summary>
public sealed record ImportPlan(
    IReadOnlyList<ProductRecord> Products,
    StageTally ProductStage,
    IReadOnlyList<ShopperHistory> Shoppers,
    StageTally EventStage)
{
    public long EventRows => Shoppers.Sum(s => (long)s.Events.Sum(e => e.Rows));
}
