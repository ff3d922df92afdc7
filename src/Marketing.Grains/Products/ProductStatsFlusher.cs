using Marketing.Abstractions;
using Marketing.Grains.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Products;

/// <summary>
/// Hands the silo's tallied product interactions to the product grains every <see cref="EventIntakeOptions.ProductStatsInterval"/>,
/// <see cref="EventIntakeOptions.ProductStatsConcurrentCalls"/> calls at a time (2). After a start or a silo's death
/// thousands of those products activate, each reading its state, and the intake that touched them waits behind those
/// reads for CPU and storage: on 2 cores, with 10,000 new shoppers at 5,000 events/s, 64 calls at a time made
/// 9,100-9,700 of 15,000 requests time out in the first 30 s, 2 at a time none. Counts a product did not take
/// (unreachable, or its activation gave up) go back to the tally for the next round; a slow round only delays them.
/// </summary>
public sealed partial class ProductStatsFlusher(
    ProductStatsBuffer buffer, IGrainFactory grains, IOptions<EventIntakeOptions> options, ILogger<ProductStatsFlusher> logger)
    : BackgroundService
{
    private static readonly TimeSpan LastRoundLimit = TimeSpan.FromSeconds(5);

    /// <summary>Calls at once in the last round, when the silo is stopping and no intake competes with it.</summary>
    private const int LastRoundConcurrentCalls = 64;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProductStatsInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(options.Value.ProductStatsConcurrentCalls, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        // On the way out, one last round, bounded: the silo is stopping.
        try
        {
            await FlushAsync(Math.Max(LastRoundConcurrentCalls, options.Value.ProductStatsConcurrentCalls), CancellationToken.None)
                .WaitAsync(LastRoundLimit);
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task FlushAsync(int concurrentCalls, CancellationToken cancellationToken)
    {
        var kept = 0;
        Exception? last = null;
        await Parallel.ForEachAsync(
            buffer.Drain(),
            new ParallelOptions { MaxDegreeOfParallelism = concurrentCalls },
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
