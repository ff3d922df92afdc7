using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// A BERT-style sentence encoder on ONNX Runtime: WordPiece tokens → transformer → mean over the real tokens → unit length.
/// Holds one <see cref="InferenceSession"/> for the process; <c>Run</c> is thread-safe, so any number of callers may
/// share it, though on few cores <see cref="BatchingTextEncoder"/> gets far more out of it.
/// </summary>
public sealed partial class OnnxTextEncoder : ITextEncoder, IDisposable
{
    private const string InputIds = "input_ids";
    private const string AttentionMask = "attention_mask";
    private const string TokenTypeIds = "token_type_ids";

    private readonly WordPieceInput _input;
    private readonly EncoderSession _opened;
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _outputIsPooled;
    private readonly bool _clsPooling;
    private readonly int _maxBatchSize;

    public OnnxTextEncoder(IOptions<EncoderOptions> options, ILogger<OnnxTextEncoder>? logger = null)
        : this(options, CpuFeatures.Current, logger)
    {
    }

    /// <summary>An encoder as it would be opened on a processor with <paramref name="cpu"/>'s features (which decide <see cref="EncoderPrecision.Auto"/>).</summary>
    public OnnxTextEncoder(IOptions<EncoderOptions> options, CpuFeatures cpu, ILogger<OnnxTextEncoder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        var log = logger ?? NullLogger<OnnxTextEncoder>.Instance;
        var modelPath = EncoderOptions.Resolve(settings.ModelPath);
        var vocabPath = EncoderOptions.Resolve(settings.VocabPath);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"Encoder:ModelPath '{modelPath}' does not exist.", modelPath);
        }

        if (!File.Exists(vocabPath))
        {
            throw new FileNotFoundException($"Encoder:VocabPath '{vocabPath}' does not exist.", vocabPath);
        }

        _input = new WordPieceInput(vocabPath, settings.LowerCase, settings.MaxTokens);
        TimeSpan hashTime;
        _maxBatchSize = settings.MaxBatchSize;
        _opened = EncoderSession.Open(modelPath, settings, cpu, log);
        _session = _opened.Session;
        try
        {
            foreach (var (name, meta) in _session.InputMetadata)
            {
                if (name is not (InputIds or AttentionMask or TokenTypeIds))
                {
                    throw new InvalidOperationException($"Encoder:ModelPath '{modelPath}' has input '{name}'; a BERT-style model reads only {InputIds}, {AttentionMask} and {TokenTypeIds}.");
                }

                if (meta.ElementDataType != TensorElementType.Int64)
                {
                    throw new InvalidOperationException($"Encoder:ModelPath '{modelPath}' expects {meta.ElementDataType} for '{name}'; int64 token ids are supported.");
                }
            }

            if (!_session.InputMetadata.ContainsKey(InputIds))
            {
                throw new InvalidOperationException($"Encoder:ModelPath '{modelPath}' has no '{InputIds}' input.");
            }

            _inputNames = [.. _session.InputMetadata.Keys];
            var output = _session.OutputMetadata.ContainsKey("last_hidden_state")
                ? "last_hidden_state"
                : _session.OutputMetadata.Keys.First();
            _outputNames = [output];
            var outputDims = _session.OutputMetadata[output].Dimensions;
            _outputIsPooled = outputDims.Length == 2;
            _clsPooling = !_outputIsPooled && settings.EffectivePooling == EncoderPooling.Cls;
            if (outputDims.Length is not (2 or 3))
            {
                throw new InvalidOperationException($"Encoder:ModelPath '{modelPath}' output '{output}' has rank {outputDims.Length}; expected token states [batch, tokens, hidden] or pooled [batch, hidden].");
            }

            Dimensions = outputDims[^1] > 0 ? outputDims[^1] : ProbeDimensions();
            var hashing = Stopwatch.GetTimestamp();
            Model = TextModelId.OfFiles(modelPath, vocabPath, settings.LowerCase, settings.MaxTokens, Dimensions, _outputIsPooled ? TextModelId.ModelPooling : _clsPooling ? TextModelId.ClsPooling : TextModelId.MeanPooling);
            hashTime = Stopwatch.GetElapsedTime(hashing);

            // The first run allocates ONNX Runtime's arenas; do it now rather than in a shopper's request.
            Run([_input.Encode("warm up")]);
        }
        catch
        {
            _opened.Dispose();
            throw;
        }

        LogLoaded(log, Model.Name, Provider, Precision, PrecisionReason, Dimensions, MaxTokens);
        LogModelId(log, Model, hashTime.TotalMilliseconds);
    }

    public int Dimensions { get; }

    /// <summary>The model behind the vectors, computed once here (the weights file is hashed at start, not per call).</summary>
    public TextModelId Model { get; }

    /// <summary>The execution provider inference actually runs on.</summary>
    public ExecutionProviderKind Provider => _opened.Provider;

    /// <summary>The arithmetic the weight matrices actually run in (never <see cref="EncoderPrecision.Auto"/>): <see cref="EncoderPrecision.Float32"/> on CUDA.</summary>
    public EncoderPrecision Precision => _opened.Precision.Precision;

    /// <summary>Why <see cref="Precision"/>: the setting, or what <see cref="EncoderPrecision.Auto"/> saw in the processor.</summary>
    public string PrecisionReason => _opened.Precision.Reason;

    public int MaxTokens => _input.MaxTokens;

    public ValueTask<float[]> EncodeAsync(string text, CancellationToken cancellationToken = default)
    {
        var ids = _input.Encode(text);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Run([ids], cancellationToken)[0]);
    }

    public Task<float[][]> EncodeBatchAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tokenized = new int[texts.Count][];
        for (var i = 0; i < tokenized.Length; i++)
        {
            tokenized[i] = _input.Encode(texts[i]);
        }

        // Sorting by length before cutting into batches keeps padding (wasted compute) small.
        var order = Enumerable.Range(0, tokenized.Length).OrderBy(i => tokenized[i].Length).ToArray();
        var results = new float[texts.Count][];
        var batch = new List<int[]>(_maxBatchSize);
        for (var start = 0; start < order.Length; start += _maxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batch.Clear();
            var end = Math.Min(order.Length, start + _maxBatchSize);
            for (var i = start; i < end; i++)
            {
                batch.Add(tokenized[order[i]]);
            }

            var vectors = Run(batch, cancellationToken);
            for (var i = start; i < end; i++)
            {
                results[order[i]] = vectors[i - start];
            }
        }

        return Task.FromResult(results);
    }

    /// <summary>Token ids of a text as this encoder feeds them to the model (validates and truncates).</summary>
    internal int[] Tokenize(string text) => _input.Encode(text);

    /// <summary>One inference run over already tokenised texts, padded to the longest; returns one unit vector per text.</summary>
    internal float[][] Run(IReadOnlyList<int[]> batch, CancellationToken cancellationToken = default)
    {
        var rows = batch.Count;
        var width = 0;
        for (var i = 0; i < rows; i++)
        {
            width = Math.Max(width, batch[i].Length);
        }

        var cells = rows * width;
        var hidden = Dimensions;
        var outputLength = _outputIsPooled ? rows * hidden : cells * hidden;
        var ids = ArrayPool<long>.Shared.Rent(cells);
        var mask = ArrayPool<long>.Shared.Rent(cells);
        var types = ArrayPool<long>.Shared.Rent(cells);
        var states = ArrayPool<float>.Shared.Rent(outputLength);
        try
        {
            Array.Fill(ids, _input.PaddingId, 0, cells);
            Array.Clear(mask, 0, cells);
            Array.Clear(types, 0, cells);
            for (var r = 0; r < rows; r++)
            {
                var tokens = batch[r];
                var offset = r * width;
                for (var t = 0; t < tokens.Length; t++)
                {
                    ids[offset + t] = tokens[t];
                    mask[offset + t] = 1;
                }
            }

            long[] inputShape = [rows, width];
            long[] outputShape = _outputIsPooled ? [rows, hidden] : [rows, width, hidden];
            var inputs = new OrtValue[_inputNames.Length];
            using var output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, states.AsMemory(0, outputLength), outputShape);
            using var runOptions = new RunOptions();
            using var cancel = cancellationToken.CanBeCanceled ? cancellationToken.Register(() => runOptions.Terminate = true) : default;
            try
            {
                for (var i = 0; i < inputs.Length; i++)
                {
                    var source = _inputNames[i] switch
                    {
                        InputIds => ids,
                        AttentionMask => mask,
                        _ => types,
                    };
                    inputs[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, source.AsMemory(0, cells), inputShape);
                }

                _session.Run(runOptions, _inputNames, inputs, _outputNames, [output]);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                foreach (var value in inputs)
                {
                    value?.Dispose();
                }
            }

            var results = new float[rows][];
            for (var r = 0; r < rows; r++)
            {
                var vector = new float[hidden];
                if (_outputIsPooled)
                {
                    states.AsSpan(r * hidden, hidden).CopyTo(vector);
                }
                else if (_clsPooling)
                {
                    states.AsSpan(r * width * hidden, hidden).CopyTo(vector);
                }
                else
                {
                    SentencePooling.MeanOverTokens(states.AsSpan(r * width * hidden, batch[r].Length * hidden), vector);
                }

                SentencePooling.Normalize(vector);
                results[r] = vector;
            }

            return results;
        }
        finally
        {
            ArrayPool<long>.Shared.Return(ids);
            ArrayPool<long>.Shared.Return(mask);
            ArrayPool<long>.Shared.Return(types);
            ArrayPool<float>.Shared.Return(states);
        }
    }

    public void Dispose() => _opened.Dispose();

    private int ProbeDimensions()
    {
        var ids = new OrtValue[_inputNames.Length];
        try
        {
            long[] shape = [1, 2];
            for (var i = 0; i < ids.Length; i++)
            {
                long[] values = _inputNames[i] switch
                {
                    InputIds => [101, 102],
                    AttentionMask => [1, 1],
                    _ => [0, 0],
                };
                ids[i] = OrtValue.CreateTensorValueFromMemory(values, shape);
            }

            using var outputs = _session.Run(new RunOptions(), _inputNames, ids, _outputNames);
            return (int)outputs[0].GetTensorTypeAndShape().Shape[^1];
        }
        finally
        {
            foreach (var value in ids)
            {
                value?.Dispose();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Text encoder {Model} runs on {Provider} in {Precision} ({PrecisionReason}): {Dimensions} dimensions, at most {MaxTokens} tokens a text")]
    private static partial void LogLoaded(ILogger logger, string model, ExecutionProviderKind provider, EncoderPrecision precision, string precisionReason, int dimensions, int maxTokens);

    [LoggerMessage(Level = LogLevel.Information, Message = "Text encoder vectors are named {ModelId} (weights hashed in {HashMilliseconds:F0} ms)")]
    private static partial void LogModelId(ILogger logger, TextModelId modelId, double hashMilliseconds);
}
