using System.Diagnostics.Metrics;

namespace Marketing.Ml.Embeddings;

/// <summary>The encoder's instruments, on the meter <c>Marketing.Ml.Encoder</c>.</summary>
internal sealed class EncoderMetrics
{
    public const string MeterName = "Marketing.Ml.Encoder";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _inference;
    private readonly Histogram<double> _padding;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _waitedForMore;
    private readonly KeyValuePair<string, object?> _provider;

    public EncoderMetrics(IMeterFactory meterFactory, ExecutionProviderKind provider, Func<int> queueLength)
    {
        var meter = meterFactory.Create(MeterName);
        _provider = new("provider", provider.ToString());
        _batchSize = meter.CreateHistogram<int>("encoder.batch.size", "{text}", "Texts in one inference run.");
        _queueWait = meter.CreateHistogram<double>("encoder.queue.wait", "ms", "Time a text waited before its inference run began.");
        _inference = meter.CreateHistogram<double>("encoder.inference.duration", "ms", "Duration of one inference run, tokens to vectors.");
        _padding = meter.CreateHistogram<double>("encoder.batch.padding", "1", "Share of a batch's token slots that are padding.");
        _rejected = meter.CreateCounter<long>("encoder.rejected", "{text}", "Texts refused because the queue was full.");
        _waitedForMore = meter.CreateCounter<long>("encoder.batch.waits", "{wait}", "Batches held back (Encoder:MaxBatchWait) for more texts while another run was in flight.");
        meter.CreateObservableGauge("encoder.queue.length", queueLength, "{text}", "Texts waiting for inference.");
        meter.CreateObservableGauge("encoder.provider", () => new Measurement<int>(1, _provider), description: "1, tagged with the execution provider in use.");
    }

    public void Batch(int size, double inferenceMs, double paddingShare)
    {
        _batchSize.Record(size, _provider);
        _inference.Record(inferenceMs, _provider);
        _padding.Record(paddingShare, _provider);
    }

    public void Waited(double ms) => _queueWait.Record(ms);

    public void Rejected(int texts) => _rejected.Add(texts);

    public void WaitedForMore() => _waitedForMore.Add(1);
}
