using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Marketing.Grains.Events;
using Microsoft.Extensions.Options;

namespace Marketing.Silo.EventLog;

/// <summary>
/// The durable event log (in Azure blobs through <see cref="AzureBlobEventLogStore"/>): this silo incarnation's
/// <see cref="EventLogWriter"/> under <c>{incarnation}/segments/</c>, sealing of rolled-over segments, checkpoints
/// and the closed marker, the erasures, and reading logs back for recovery and whole-log reads. A checkpoint says how
/// far grain state has caught up, and where in which segment the first block that may hold later records starts, so
/// recovery reads only the tail rather than whole segments; a <c>closed</c> marker says nothing in an incarnation's
/// log still needs replaying.
/// </summary>
public sealed partial class DurableEventLog : IEventLog, IEventLogReader, IAsyncDisposable
{
    public const string MeterName = "Marketing.EventLog";

    private readonly IEventLogStore _store;
    private readonly EventLogWriter _writer;
    private readonly SegmentSealer? _sealer;
    private readonly EventLogTailReader _reader;
    private readonly EventLogErasures _erasures;
    private readonly ILogger<DurableEventLog> _logger;

    public DurableEventLog(IEventLogStore store, IOptions<EventLogOptions> options, IMeterFactory meters, ILoggerFactory loggers)
    {
        _store = store;
        _sealer = options.Value.SealClosedSegments ? new SegmentSealer(store, options.Value.SealChunkBytes, loggers.CreateLogger<SegmentSealer>()) : null;
        _writer = new EventLogWriter(store, options.Value, _sealer, meters.Create(MeterName), loggers.CreateLogger<EventLogWriter>());
        _reader = new EventLogTailReader(store);
        _erasures = new EventLogErasures(store);
        _logger = loggers.CreateLogger<DurableEventLog>();
    }

    /// <summary>This silo incarnation's folder in the log (set at start from the silo address).</summary>
    public string Incarnation { get; private set; } = "";

    public async Task StartAsync(string incarnation, CancellationToken cancellationToken)
    {
        Incarnation = incarnation;
        await _store.InitializeAsync(cancellationToken);
        _writer.Start(incarnation);
        LogStarted(incarnation, _store.Location);
    }

    public Task AppendAsync(IReadOnlyList<LoggedEvent> records, CancellationToken cancellationToken = default) =>
        _writer.AppendAsync(records, cancellationToken);

    public Task RecordErasureAsync(Erasure erasure, CancellationToken cancellationToken = default) =>
        _erasures.RecordAsync(erasure, cancellationToken);

    public Task<DateTimeOffset?> ErasedAtAsync(string shopper, CancellationToken cancellationToken = default) =>
        _erasures.ErasedAtAsync(shopper, cancellationToken);

    public Task<IReadOnlyDictionary<string, DateTimeOffset>> ReadErasuresAsync(CancellationToken cancellationToken = default) =>
        _erasures.ReadAllAsync(cancellationToken);

    public async IAsyncEnumerable<LoggedEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var erasures = await ReadErasuresAsync(cancellationToken);
        await foreach (var record in _reader.ReadAllAsync(cancellationToken))
        {
            if (!record.IsErasedBy(erasures))
            {
                yield return record;
            }
        }
    }

    /// <inheritdoc cref="EventLogTailReader.ListIncarnationsAsync"/>
    public Task<IReadOnlyList<string>> ListIncarnationsAsync(bool openOnly, CancellationToken cancellationToken) =>
        _reader.ListIncarnationsAsync(openOnly, cancellationToken);

    /// <inheritdoc cref="EventLogTailReader.ReadTailAsync"/>
    public Task<(List<LoggedEvent> Records, long BytesRead)> ReadTailAsync(string incarnation, CancellationToken cancellationToken) =>
        _reader.ReadTailAsync(incarnation, cancellationToken);

    /// <summary>Records that grain state has caught up with this incarnation's log through <paramref name="reflectedThrough"/>.</summary>
    public Task WriteCheckpointAsync(DateTimeOffset reflectedThrough, CancellationToken cancellationToken) =>
        _store.WriteCheckpointAsync(Incarnation, _writer.CheckpointAt(reflectedThrough), cancellationToken);

    public Task MarkClosedAsync(string incarnation, CancellationToken cancellationToken) =>
        _store.MarkClosedAsync(incarnation, cancellationToken);

    /// <summary>Stops taking appends and waits for those already taken to be stored, and for seals under way.</summary>
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync();
        if (_sealer is not null)
        {
            await _sealer.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event log for incarnation {Incarnation} writing to {Container}")]
    private partial void LogStarted(string incarnation, string container);
}
