using Marketing.Abstractions.Products;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Marketing.Grains.Products;

/// <summary>Hands the silo's tallied product interactions to the product grains every second.</summary>
public sealed partial class ProductStatsFlusher(ProductStatsBuffer buffer, IGrainFactory grains, ILogger<ProductStatsFlusher> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException)
        {
        }

        Flush();
    }

    private void Flush()
    {
        foreach (var (sku, days) in buffer.Drain())
        {
            try
            {
                // One-way: the tally is advisory and must never hold up the flusher.
                _ = grains.GetGrain<IProductStatsSink>(sku).AddInteractions(days);
            }
            catch (Exception ex)
            {
                LogFlushFailed(ex, sku);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand interaction counts to product {Sku}")]
    private partial void LogFlushFailed(Exception ex, string sku);
}
