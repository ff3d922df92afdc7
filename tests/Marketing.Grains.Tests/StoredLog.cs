using System.Diagnostics.Metrics;
using Marketing.Abstractions.Events;
using Marketing.Grains.Events;
using Marketing.Silo.EventLog;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Tests;

/// <summary>Durable event logs over one in-memory store, as the silos of a cluster write theirs into one container.</summary>
public sealed class StoredLog
{
    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public InMemoryEventLogStore Store { get; } = new();

    /// <summary>
    /// An incarnation's log, started: segments roll over every ten blocks (the least allowed) and are sealed 100 bytes a
    /// chunk, so a few dozen appends make sealed and open segments both.
    /// </summary>
    public async Task<DurableEventLog> StartAsync(string incarnation)
    {
        var options = new EventLogOptions { MaxBlocksPerSegment = 10, SealClosedSegments = true, SealChunkBytes = 100 };
        var log = new DurableEventLog(Store, Options.Create(options), new Meters(), NullLoggerFactory.Instance);
        await log.StartAsync(incarnation, CancellationToken.None);
        return log;
    }

    /// <summary>A record of <paramref name="shopper"/> whose event id is <paramref name="id"/>, logged <paramref name="second"/> seconds after <see cref="Epoch"/>.</summary>
    public static LoggedEvent Record(string shopper, string id, double second) =>
        new(shopper, 1, Epoch.AddSeconds(second), EventSource.Live, false, ClusterFixture.View(id, "sku-1"));

    private sealed class Meters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
