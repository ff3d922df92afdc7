using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Products;

/// <summary>Hands the silo's tallied product interactions to the product grains every <see cref="EventIntakeOptions.ProductStatsInterval"/>.</summary>
public sealed partial class ProductStatsFlusher(
    ProductStatsBuffer buffer, IGrainFactory grains, IOptions<EventIntakeOptions> options, ILogger<ProductStatsFlusher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProductStatsInterval);
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
                _ = grains.Ref<IProductStatsSink>(sku).AddInteractions(days);
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
