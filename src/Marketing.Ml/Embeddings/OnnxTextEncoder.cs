using System.Buffers;
using System.Diagnostics;
using System.Numerics.Tensors;
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
    private readonly SessionOptions _sessionOptions;
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _outputIsPooled;
    private readonly int _maxBatchSize;

    public OnnxTextEncoder(IOptions<EncoderOptions> options, ILogger<OnnxTextEncoder>? logger = null)
    {
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
        (_session, _sessionOptions, Provider, Precision) = OpenSession(modelPath, settings, log);
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
            if (outputDims.Length is not (2 or 3))
            {
                throw new InvalidOperationException($"Encoder:ModelPath '{modelPath}' output '{output}' has rank {outputDims.Length}; expected token states [batch, tokens, hidden] or pooled [batch, hidden].");
            }

            Dimensions = outputDims[^1] > 0 ? outputDims[^1] : ProbeDimensions();
            var hashing = Stopwatch.GetTimestamp();
            Model = TextModelId.OfFiles(modelPath, vocabPath, settings.LowerCase, settings.MaxTokens, Dimensions, _outputIsPooled ? TextModelId.ModelPooling : TextModelId.MeanPooling);
            hashTime = Stopwatch.GetElapsedTime(hashing);

            // The first run allocates ONNX Runtime's arenas; do it now rather than in a shopper's request.
            Run([_input.Encode("warm up")]);
        }
        catch
        {
            _session.Dispose();
            _sessionOptions.Dispose();
            throw;
        }

        LogLoaded(log, Model.Name, Provider, Precision, Dimensions, MaxTokens);
        LogModelId(log, Model, hashTime.TotalMilliseconds);
    }

    public int Dimensions { get; }

    /// <summary>The model behind the vectors, computed once here (the weights file is hashed at start, not per call).</summary>
    public TextModelId Model { get; }

    /// <summary>The execution provider inference actually runs on.</summary>
    public ExecutionProviderKind Provider { get; }

    /// <summary>The arithmetic the weight matrices actually run in: <see cref="EncoderPrecision.Float32"/> on CUDA.</summary>
    public EncoderPrecision Precision { get; }

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
                else
                {
                    MeanOverTokens(states.AsSpan(r * width * hidden, batch[r].Length * hidden), vector);
                }

                Normalize(vector);
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

    public void Dispose()
    {
        _session.Dispose();
        _sessionOptions.Dispose();
    }

    /// <summary>Mean of the token states of one text; padding sits after its real tokens, so those are the first rows.</summary>
    internal static void MeanOverTokens(ReadOnlySpan<float> tokenStates, Span<float> destination)
    {
        var hidden = destination.Length;
        var tokens = tokenStates.Length / hidden;
        tokenStates[..hidden].CopyTo(destination);
        for (var t = 1; t < tokens; t++)
        {
            TensorPrimitives.Add(destination, tokenStates.Slice(t * hidden, hidden), destination);
        }

        TensorPrimitives.Multiply(destination, 1f / tokens, destination);
    }

    /// <summary>Scales to unit length so that a dot product is the cosine similarity.</summary>
    internal static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        TensorPrimitives.Divide(vector, Math.Max(norm, 1e-12f), vector);
    }

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

    private static (InferenceSession Session, SessionOptions Options, ExecutionProviderKind Provider, EncoderPrecision Precision) OpenSession(
        string modelPath, EncoderOptions settings, ILogger log)
    {
        if (settings.ExecutionProvider != ExecutionProviderPreference.Cpu)
        {
            var cudaOptions = NewSessionOptions(settings);
            var environment = OrtEnv.Instance();
            var logLevel = environment.EnvLogLevel;
            try
            {
                // ONNX Runtime prints its own error when the CUDA libraries are missing; the fallback is ours to report.
                environment.EnvLogLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
                cudaOptions.AppendExecutionProvider_CUDA(0);
                return (new InferenceSession(modelPath, cudaOptions), cudaOptions, ExecutionProviderKind.Cuda, EncoderPrecision.Float32);
            }
            catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or NotSupportedException)
            {
                cudaOptions.Dispose();
                if (settings.ExecutionProvider == ExecutionProviderPreference.Cuda)
                {
                    throw new InvalidOperationException($"Encoder:ExecutionProvider is Cuda, but CUDA could not be used: {e.Message}", e);
                }

                LogCudaUnavailable(log, FirstLine(e.Message));
            }
            finally
            {
                environment.EnvLogLevel = logLevel;
            }
        }

        var cpuOptions = NewSessionOptions(settings);
        try
        {
            if (settings.Precision == EncoderPrecision.Int8)
            {
                var int8 = Int8Weights.Quantize(File.ReadAllBytes(modelPath));
                if (int8.MatricesQuantized > 0)
                {
                    return (new InferenceSession(int8.Model, cpuOptions), cpuOptions, ExecutionProviderKind.Cpu, EncoderPrecision.Int8);
                }

                LogNothingToQuantize(log, modelPath);
            }

            return (new InferenceSession(modelPath, cpuOptions), cpuOptions, ExecutionProviderKind.Cpu, EncoderPrecision.Float32);
        }
        catch
        {
            cpuOptions.Dispose();
            throw;
        }
    }

    private static SessionOptions NewSessionOptions(EncoderOptions settings)
    {
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            InterOpNumThreads = 1,
        };
        if (settings.IntraOpThreads > 0)
        {
            options.IntraOpNumThreads = settings.IntraOpThreads;
        }

        options.AddSessionConfigEntry("session.intra_op.allow_spinning", settings.Spinning == EncoderSpinning.Off ? "0" : "1");
        if (settings.Spinning == EncoderSpinning.WhileRunning)
        {
            options.AddSessionConfigEntry("session.force_spinning_stop", "1");
        }

        return options;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Text encoder {Model} runs on {Provider} in {Precision}: {Dimensions} dimensions, at most {MaxTokens} tokens a text")]
    private static partial void LogLoaded(ILogger logger, string model, ExecutionProviderKind provider, EncoderPrecision precision, int dimensions, int maxTokens);

    [LoggerMessage(Level = LogLevel.Information, Message = "Text encoder vectors are named {ModelId} (weights hashed in {HashMilliseconds:F0} ms)")]
    private static partial void LogModelId(ILogger logger, TextModelId modelId, double hashMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encoder:Precision is Int8, but {ModelPath} has no MatMul by a weight matrix to quantize, so it runs in Float32")]
    private static partial void LogNothingToQuantize(ILogger logger, string modelPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA is not available to the text encoder, so it runs on CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);
}
