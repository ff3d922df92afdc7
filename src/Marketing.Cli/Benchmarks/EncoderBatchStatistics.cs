using System.Diagnostics.Metrics;
using System.Globalization;
using Marketing.Ml.Embeddings;

namespace Marketing.Cli.Benchmarks;

/// <summary>Listens to the encoder's batch instruments: how many runs a phase took, their mean size and padding share.</summary>
internal sealed class BatchStatistics : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private long _runs;
    private long _texts;
    private double _padding;

    public BatchStatistics()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == BatchingTextEncoder.MeterName && instrument.Name is "encoder.batch.size" or "encoder.batch.padding")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, size, _, _) =>
        {
            lock (_gate)
            {
                _runs++;
                _texts += size;
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, share, _, _) =>
        {
            lock (_gate)
            {
                _padding += share;
            }
        });
        _listener.Start();
    }

    /// <summary>The table cells for what was measured since the last call, which starts a new phase.</summary>
    public string TakeSummary()
    {
        lock (_gate)
        {
            var cells = _runs == 0 ? "| 0 | – | – |" : string.Create(CultureInfo.InvariantCulture, $"| {_runs:N0} | {(double)_texts / _runs:F1} | {_padding / _runs:P0} |");
            (_runs, _texts, _padding) = (0, 0, 0);
            return cells;
        }
    }

    public void Dispose() => _listener.Dispose();
}

internal sealed class NullMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options.Name, options.Version, options.Tags, this);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose()
    {
        foreach (var meter in _meters)
        {
            meter.Dispose();
        }
    }
}
