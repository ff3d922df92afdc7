using Marketing.Grains.Events;
using Microsoft.Extensions.Options;


namespace Marketing.Silo.EventLog;

/// <summary>
/// Opens this silo's log before grains can run, writes checkpoints while it lives, and on a clean shutdown (after
/// grains have deactivated and written their state) marks its log closed so nobody replays it.
/// </summary>
public sealed partial class EventLogLifecycle(
    DurableEventLog log,
    WriteBehindTracker tracker,
    ILocalSiloDetails local,
    IOptions<EventLogOptions> options,
    ILogger<EventLogLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task? _checkpoints;

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Start before grains take calls; stop after grain deactivation (stages stop in reverse order).
        lifecycle.Subscribe(nameof(EventLogLifecycle), ServiceLifecycleStage.RuntimeGrainServices, StartAsync, StopAsync);
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await log.StartAsync(EventLogRecovery.IncarnationOf(local.SiloAddress), cancellationToken);
        _checkpoints = Task.Run(() => CheckpointLoopAsync(_stopping.Token), CancellationToken.None);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_checkpoints is not null)
        {
            await _checkpoints;
        }

        await log.DisposeAsync();
        if (tracker.DirtyCount == 0)
        {
            await log.WriteCheckpointAsync(DateTimeOffset.MaxValue, cancellationToken);
            await log.MarkClosedAsync(log.Incarnation, cancellationToken);
            LogClosed(log.Incarnation);
        }
        else
        {
            await log.WriteCheckpointAsync(tracker.Checkpoint(), cancellationToken);
            LogLeftOpen(log.Incarnation, tracker.DirtyCount);
        }
    }

    private async Task CheckpointLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval);
        var last = DateTimeOffset.MinValue;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var checkpoint = tracker.Checkpoint();
                if (checkpoint == last)
                {
                    continue;
                }

                try
                {
                    await log.WriteCheckpointAsync(checkpoint, cancellationToken);
                    last = checkpoint;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogCheckpointFailed(ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log {Incarnation} closed cleanly")]
    private partial void LogClosed(string incarnation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event log {Incarnation} left open: {Dirty} shoppers had unwritten state; the next silo replays the tail")]
    private partial void LogLeftOpen(string incarnation, int dirty);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the event-log checkpoint failed; retrying on the next tick")]
    private partial void LogCheckpointFailed(Exception ex);
}
