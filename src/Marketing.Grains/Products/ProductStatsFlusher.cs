using Marketing.Abstractions;
using Marketing.Abstractions.Products;
using Marketing.Grains.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Products;

/// <summary>
/// Hands the silo's tallied product interactions to the product grains every <see cref="EventIntakeOptions.ProductStatsInterval"/>,
/// a few calls at a time: after a silo dies thousands of those products activate again, and all at once their state
/// reads queued at storage for longer than Orleans waits for an activation (30 s). Counts a product did not take
/// (unreachable, or its activation gave up) go back to the tally for the next round.
/// </summary>
public sealed partial class ProductStatsFlusher(
    ProductStatsBuffer buffer, IGrainFactory grains, IOptions<EventIntakeOptions> options, ILogger<ProductStatsFlusher> logger)
    : BackgroundService
{
    private const int ConcurrentCalls = 64;
    private static readonly TimeSpan LastRoundLimit = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProductStatsInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        // On the way out, one last round, bounded: the silo is stopping.
        try
        {
            await FlushAsync(CancellationToken.None).WaitAsync(LastRoundLimit);
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var kept = 0;
        Exception? last = null;
        await Parallel.ForEachAsync(
            buffer.Drain(),
            new ParallelOptions { MaxDegreeOfParallelism = ConcurrentCalls },
            async (product, _) =>
            {
                try
                {
                    await grains.Ref<IProductStatsSink>(product.Sku).AddInteractions(product.Days);
                }
                catch (Exception ex)
                {
                    buffer.Return(product.Sku, product.Days);
                    Interlocked.Increment(ref kept);
                    last = ex;
                }
            });
        if (kept > 0 && !cancellationToken.IsCancellationRequested)
        {
            LogKept(last, kept);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Products} products did not take their interaction counts; they are kept for the next round")]
    private partial void LogKept(Exception? ex, int products);
}
