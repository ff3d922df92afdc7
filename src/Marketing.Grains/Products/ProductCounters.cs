using Marketing.Abstractions.Products;
using Marketing.Grains.Storage;

namespace Marketing.Grains.Products;

/// <summary>
/// A product's daily interaction counters, the state of <see cref="ProductCountersGrain"/>: apart from the catalogue
/// record (<see cref="ProductState"/>) because they are written behind, every few minutes while shoppers touch the
/// product, where the record is written through.
/// </summary>
[GenerateSerializer, Alias("mk.ProductCounters")]
public sealed class ProductCounters
{
    public const int Days = 120;

    /// <summary>Interaction counts per day, oldest first, at most <see cref="Days"/> days.</summary>
    [Id(0)] public List<DailyProductStats> Daily { get; set; } = [];

    /// <summary>Whether counters an earlier build kept with the product's record were added (they are added once).</summary>
    [Id(1)] public bool AdoptedFromRecord { get; set; }

    /// <summary>Adds a day's counts to a list of days, oldest first, keeping the last <see cref="Days"/>.</summary>
    public static void AddTo(List<DailyProductStats> daily, DailyProductStats delta)
    {
        var i = daily.FindIndex(d => d.Day == delta.Day);
        if (i >= 0)
        {
            daily[i] = daily[i].Add(delta);
            return;
        }

        daily.Add(delta);
        daily.Sort((a, b) => a.Day.CompareTo(b.Day));
        if (daily.Count > Days)
        {
            daily.RemoveRange(0, daily.Count - Days);
        }
    }
}

/// <summary>
/// Counts a product activation added since its counters were last written: added to the stored counters if another
/// activation wrote first, or handed back to the silo's <see cref="ProductStatsBuffer"/>, which gives them to the
/// product's next activation within seconds.
/// </summary>
internal sealed class ProductUnsavedCounts(Func<string> sku, Func<ProductCounters> counters, ProductStatsBuffer buffer) : IUnsavedChanges
{
    private List<DailyProductStats>? _unsaved;

    public bool CanHandOff => _unsaved is not null;

    public void Add(DailyProductStats delta) => ProductCounters.AddTo(_unsaved ??= [], delta);

    public Task ReapplyAsync()
    {
        foreach (var delta in _unsaved ?? [])
        {
            ProductCounters.AddTo(counters().Daily, delta);
        }

        return Task.CompletedTask;
    }

    public void HandOff()
    {
        if (_unsaved is { } unsaved)
        {
            buffer.Return(sku(), unsaved);
        }
    }

    public void Forget() => _unsaved = null;
}
