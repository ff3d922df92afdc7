using System.Collections.Immutable;
using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Events;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Products;

/// <summary>
/// A product's daily counters, written behind: every silo's <see cref="ProductStatsFlusher"/> adds its tally here every
/// few seconds. Apart from <see cref="ProductGrain"/> so that the first counts after a start activate one grain with one
/// state read per product, not the record too. Counts added since the last write survive a lost write race (added to
/// the other activation's) and a deactivation without a write (back to the silo's buffer), as a shopper's events do.
/// </summary>
[GrainType("productcounters")]
public sealed partial class ProductCountersGrain : Grain, IProductCountersGrain, IWriteBehindGrain
{
    private readonly WriteBehindState<ProductCounters> _counters;
    private readonly ProductUnsavedCounts _unsaved;
    private readonly ILogger<ProductCountersGrain> _logger;

    public ProductCountersGrain(
        [PersistentState("counters", StorageNames.CatalogueState)] IPersistentState<ProductCounters> counters,
        WriteBehindScheduler scheduler,
        IOptions<EventIntakeOptions> intake,
        ProductStatsBuffer stats,
        ILogger<ProductCountersGrain> logger)
    {
        _logger = logger;
        _unsaved = new ProductUnsavedCounts(() => Sku, () => counters.State, stats);
        _counters = new WriteBehindState<ProductCounters>(this, counters, _unsaved, scheduler, intake.Value.ProductStatsWriteDelay);
    }

    private string Sku => this.GetPrimaryKeyString();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        _counters.OnDeactivateAsync(reason, ex => LogCountersNotWritten(ex, Sku));

    public Task FlushWriteBehind() => _counters.OnDueAsync();

    public Task AddInteractions(ImmutableArray<DailyProductStats> deltas)
    {
        foreach (var delta in deltas)
        {
            ProductCounters.AddTo(_counters.State.Daily, delta);
            _unsaved.Add(delta);
        }

        _counters.Schedule();
        return Task.CompletedTask;
    }

    public Task<ImmutableArray<DailyProductStats>> GetStats(int days) =>
        Task.FromResult(_counters.State.Daily.AsEnumerable().Reverse().Take(Math.Clamp(days, 1, ProductCounters.Days)).ToImmutableArray());

    public async Task AdoptFromRecord(ImmutableArray<DailyProductStats> days)
    {
        if (_counters.State.AdoptedFromRecord)
        {
            return;
        }

        // Written now, not behind: the flag must be stored before the record drops its copy of these counts.
        foreach (var day in days)
        {
            ProductCounters.AddTo(_counters.State.Daily, day);
        }

        _counters.State.AdoptedFromRecord = true;
        await _counters.WriteNowAsync(() =>
        {
            if (!_counters.State.AdoptedFromRecord)
            {
                foreach (var day in days)
                {
                    ProductCounters.AddTo(_counters.State.Daily, day);
                }

                _counters.State.AdoptedFromRecord = true;
            }
        });
    }

    public async Task Clear()
    {
        _counters.Reset();
        _unsaved.Forget();
        await _counters.ClearAsync();
        DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Product {Sku} could not write its counters on deactivation; they go back to the silo's tally")]
    private partial void LogCountersNotWritten(Exception ex, string sku);
}
