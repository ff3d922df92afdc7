using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Client;

namespace Marketing.Cli.Import;

/// <summary>
/// Sends an <see cref="ImportPlan"/> to the cluster: products first (so events find their SKUs), then each shopper's
/// events in time order, <c>batch</c> events per <c>Track</c> call, with at most <c>concurrency</c> calls in flight.
/// </summary>
public sealed class ImportRunner(IGrainFactory grains, ShopperPseudonym pseudonym, int batch, int concurrency)
{
    public async Task ImportProductsAsync(ImportPlan plan, Action<int> rowsDone, CancellationToken cancellation)
    {
        var tally = plan.ProductStage;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(plan.Products, Options(cancellation), async (product, _) =>
        {
            try
            {
                await grains.GetGrain<IProductGrain>(product.Sku).Upsert(product.Input);
                tally.AddImported(1);
            }
            catch (InvalidInputException e)
            {
                tally.Reject(e.Errors);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                tally.Fail(e, 1);
            }

            rowsDone(1);
        });
        tally.Duration = clock.Elapsed;
    }

    public async Task ImportEventsAsync(ImportPlan plan, Action<int> rowsDone, CancellationToken cancellation)
    {
        var tally = plan.EventStage;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(plan.Shoppers, Options(cancellation), async (shopper, token) =>
        {
            var grain = grains.GetShopper(pseudonym, shopper.UserId);
            foreach (var chunk in shopper.Events.Chunk(batch))
            {
                token.ThrowIfCancellationRequested();
                var rows = chunk.Sum(e => e.Rows);
                try
                {
                    var result = await grain.Track([.. chunk.Select(e => e.Event)], EventSource.Import);
                    tally.AddImported(result.Accepted);
                    tally.AddDuplicates(result.Duplicates);
                    tally.AddFlaggedAsBot(result.FlaggedAsBot ? chunk.Length - result.Accepted - result.Duplicates : 0);
                }
                catch (InvalidInputException e)
                {
                    tally.Reject(e.Errors, rows);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    tally.Fail(e, chunk.Length);
                }

                rowsDone(rows);
            }
        });
        tally.Duration = clock.Elapsed;
    }

    private ParallelOptions Options(CancellationToken cancellation) =>
        new() { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation };
}
