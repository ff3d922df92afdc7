using Marketing.Grains.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Recommendations;

/// <summary>
/// Keeps the silo's <see cref="ItemInteractions"/> complete: at start it reads the whole durable log through the
/// cursor (so a restarted silo has everything again), then every <see cref="RecommendationOptions.LogPollInterval"/>
/// reads what any silo appended since, and the erasures, taking an erased shopper's contributions out. The position
/// lives in memory only: the statistics are rebuilt from the start of the log on each start, which costs a read of
/// the log (seconds for the demo's) and nothing can be lost or double counted by a stale stored position.
/// </summary>
public sealed partial class InteractionsLogFollower(
    ItemInteractions interactions,
    IEventLogCursor cursor,
    IEventLogReader reader,
    IOptions<RecommendationOptions> options,
    ILogger<InteractionsLogFollower> logger) : BackgroundService
{
    private const int PageSize = 5_000;

    private readonly Dictionary<string, DateTimeOffset> _erasuresApplied = new(StringComparer.Ordinal);

    /// <summary>True once the log, as stored at start, has been read.</summary>
    public bool CaughtUp { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var position = LogPosition.Start;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                position = await ReadNewAsync(position, stoppingToken);
                await ApplyErasuresAsync(stoppingToken);
                if (!CaughtUp)
                {
                    CaughtUp = true;
                    LogCaughtUp(interactions.Events, interactions.Shoppers, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The log may be unreachable for a moment (storage restarting); the position is kept, so nothing is skipped.
                LogReadFailed(ex);
            }

            try
            {
                await Task.Delay(options.Value.LogPollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<LogPosition> ReadNewAsync(LogPosition position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await cursor.ReadFromAsync(position, PageSize, cancellationToken);
            interactions.Add(page.Events);
            position = page.Next;
            if (page.CaughtUp || page.Events.Count == 0)
            {
                return position;
            }
        }
    }

    private async Task ApplyErasuresAsync(CancellationToken cancellationToken)
    {
        foreach (var (shopper, erasedAt) in await reader.ReadErasuresAsync(cancellationToken))
        {
            if (_erasuresApplied.TryGetValue(shopper, out var applied) && applied >= erasedAt)
            {
                continue;
            }

            _erasuresApplied[shopper] = erasedAt;
            interactions.Erase(shopper, erasedAt);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommendations read the event log: {Events} events of {Shoppers} shoppers in {Seconds:F1} s")]
    private partial void LogCaughtUp(long events, int shoppers, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recommendations could not read the event log; trying again at the next poll")]
    private partial void LogReadFailed(Exception ex);
}
