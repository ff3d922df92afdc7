using System.Diagnostics;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Abstractions.Products;
using Marketing.Client;

namespace Marketing.Cli.Import;

/// <summary>
/// Sends an <see cref="ImportPlan"/> to the cluster: products first (so events find their SKUs), then each shopper's
/// events in time order, <c>batch</c> events per <c>Track</c> call, with at most <c>concurrency</c> calls in flight.
/// A call whose silo cannot be reached, or dies holding it, is sent again through <see cref="ClusterRetry"/> as the
/// gateway sends events (<see cref="ImportRetry"/>); what still fails is counted by cause in the stage's tally.
/// </summary>
public sealed class ImportRunner(IGrainFactory grains, ShopperPseudonym pseudonym, int batch, int concurrency, ImportRetry retry)
{
    // How many of a shopper's events the silos' dedupe windows let a Track call resend once it may have run.
    private readonly ResendableEvents _resendable = new();

    // When a call last succeeded. With no answer for as long as one call may retry, the cluster is taken to be gone:
    // the records not yet sent are counted as not imported at once, rather than each waiting out its own retries
    // (with every silo down, 128 calls at a time for 2 minutes each).
    private long _lastAnswer = Stopwatch.GetTimestamp();

    /// <summary>The cause counted for records not sent because the cluster stopped answering.</summary>
    public const string ClusterGoneCause = "not sent: the cluster stopped answering";

    public async Task ImportProductsAsync(ImportPlan plan, Action<int> rowsDone, CancellationToken cancellation)
    {
        var tally = plan.ProductStage;
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref _lastAnswer, Stopwatch.GetTimestamp());
        await Parallel.ForEachAsync(plan.Products, Options(cancellation), async (product, token) =>
        {
            if (ClusterGone)
            {
                tally.Fail(ClusterGoneCause, NoAnswerMessage, 1, product.Sku);
                rowsDone(1);
                return;
            }

            try
            {
                // A product stored as it is here already (an import run again to fill in what one lost) is left
                // alone: the read costs the activation the upsert would pay anyway, and saves its blob write and shard
                // update. 10,000 stored Instacart products: 0.6 s read against 59 s upserted again while their grains
                // were active, 42 s against 87 s after restarting the silos; a fresh import took no longer for it.
                // A product whose shard update was lost with its silo is taken again by that shard's repair.
                var grain = grains.GetGrain<IProductGrain>(product.Sku);
                if (ProductRules.IsStoredAs(product.Input, await SendAsync(grain.Get, mayRunTwice: true, tally, token)))
                {
                    tally.AddDuplicates(1);
                }
                else
                {
                    // An upsert replaces the whole record with the same values each time (an unchanged text keeps its
                    // embedding), so one that may have run already is safe to send again.
                    await SendAsync(() => grain.Upsert(product.Input), mayRunTwice: true, tally, token);
                    tally.AddImported(1);
                }
            }
            catch (InvalidInputException e)
            {
                tally.Reject(e.Errors);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                tally.Fail(e, 1, product.Sku);
            }

            rowsDone(1);
        });
        tally.Duration = clock.Elapsed;
    }

    public async Task ImportEventsAsync(ImportPlan plan, Action<int> rowsDone, CancellationToken cancellation)
    {
        var tally = plan.EventStage;
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref _lastAnswer, Stopwatch.GetTimestamp());
        await Parallel.ForEachAsync(plan.Shoppers, Options(cancellation), async (shopper, token) =>
        {
            var grain = grains.GetShopper(pseudonym, shopper.UserId);
            var events = shopper.Events;
            if (ClusterGone)
            {
                tally.Fail(ClusterGoneCause, NoAnswerMessage, events.Count, shopper.UserId);
                rowsDone(events.Sum(e => e.Rows));
                return;
            }

            var from = 0;
            if (events.Count > _resendable.Count)
            {
                // Too many for the shopper to recognise them all when sent again (an import run a second time): start
                // after the events it holds. They are a prefix of these, since a shopper's events go in time order and
                // stop at its first failed call. One read per such shopper, whose grain the import wakes anyway.
                var held = await SendAsync(grain.Get, mayRunTwice: true, tally, token);
                from = (int)Math.Min(held.EventCount, events.Count);
                tally.AddDuplicates(from);
                rowsDone(events.Take(from).Sum(e => e.Rows));
            }

            for (var next = from; next < events.Count; next += batch)
            {
                token.ThrowIfCancellationRequested();
                var chunk = events.Skip(next).Take(batch).ToArray();
                var rows = chunk.Sum(e => e.Rows);
                try
                {
                    // Events have ids, and the shopper counts an id once while it is in its dedupe window: a call that
                    // may have run is sent again only when it is small enough for that (one that never ran always is).
                    ShopperEvent[] sent = [.. chunk.Select(e => e.Event)];
                    var result = await SendAsync(() => grain.Track([.. sent], EventSource.Import), sent.Length <= _resendable.Count, tally, token);
                    _resendable.Reported(result.DedupeWindow);
                    tally.AddImported(result.Accepted);
                    tally.AddDuplicates(result.Duplicates);
                    tally.AddFlaggedAsBot(result.FlaggedAsBot ? chunk.Length - result.Accepted - result.Duplicates : 0);
                }
                catch (InvalidInputException e)
                {
                    tally.Reject(e.Errors, rows);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    // The shopper's later events wait for the next run: sent now they would land before these.
                    var left = events.Skip(next).ToArray();
                    tally.Fail(e, left.Length, shopper.UserId);
                    rowsDone(left.Sum(l => l.Rows));
                    return;
                }

                rowsDone(rows);
            }
        });
        tally.Duration = clock.Elapsed;
    }

    private bool ClusterGone =>
        retry.UnavailableFor > TimeSpan.Zero && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastAnswer)) > retry.UnavailableFor;

    private string NoAnswerMessage => $"no call succeeded for {retry.UnavailableFor.TotalSeconds:0} s";

    private async Task<T> SendAsync<T>(Func<Task<T>> call, bool mayRunTwice, StageTally tally, CancellationToken cancellation)
    {
        var result = await ClusterRetry.RunAsync(
            call,
            mayRunTwice,
            retry.UnavailableFor,
            mayRunTwice ? retry.AttemptTimeout : Timeout.InfiniteTimeSpan,
            TimeProvider.System,
            _ => tally.AddResent(),
            cancellation);
        Volatile.Write(ref _lastAnswer, Stopwatch.GetTimestamp());
        return result;
    }

    private ParallelOptions Options(CancellationToken cancellation) =>
        new() { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellation };
}

/// <summary>
/// How an import resends a call whose silo could not be reached: for up to <see cref="UnavailableFor"/> from its
/// first failure, and, when safe, after <see cref="AttemptTimeout"/> unanswered (see <see cref="ClusterRetry"/>).
/// </summary>
public sealed record ImportRetry(TimeSpan UnavailableFor, TimeSpan AttemptTimeout)
{
    /// <summary>
    /// Long enough for a cluster to notice a killed silo and place its grains elsewhere, even with Orleans' default
    /// failure detection (tens of seconds); an import has no caller waiting on one call. An attempt may take 10 s
    /// (twice as long each time after): a product waits for its embedding, behind up to 128 others.
    /// </summary>
    public static ImportRetry Default { get; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));

    /// <summary>Every call sent once, as imports did before: for tests that show what the retry is for.</summary>
    public static ImportRetry None { get; } = new(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
}
