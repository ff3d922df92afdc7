using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Marketing.Ml.Embeddings;

/// <summary>
/// Opens the encoder's one <see cref="InferenceSession"/>: on CUDA when it can be loaded (and the preference allows),
/// otherwise on the CPU in the precision <see cref="PrecisionChoice"/> picks for this processor, the weight matrices
/// rewritten to 8-bit blocks (<see cref="Int8Weights"/>) where that is Int8.
/// </summary>
internal sealed partial class EncoderSession(InferenceSession session, SessionOptions options, ExecutionProviderKind provider, PrecisionChoice precision) : IDisposable
{
    public InferenceSession Session { get; } = session;

    public ExecutionProviderKind Provider { get; } = provider;

    public PrecisionChoice Precision { get; } = precision;

    public static EncoderSession Open(string modelPath, EncoderOptions settings, CpuFeatures cpu, ILogger log)
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
                return new EncoderSession(new InferenceSession(modelPath, cudaOptions), cudaOptions, ExecutionProviderKind.Cuda, PrecisionChoice.OnCuda);
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

        var choice = PrecisionChoice.For(settings.Precision, cpu);
        var cpuOptions = NewSessionOptions(settings);
        try
        {
            if (choice.Precision == EncoderPrecision.Int8)
            {
                var int8 = Int8Weights.Quantize(File.ReadAllBytes(modelPath));
                if (int8.MatricesQuantized > 0)
                {
                    return new EncoderSession(new InferenceSession(int8.Model, cpuOptions), cpuOptions, ExecutionProviderKind.Cpu, choice);
                }

                LogNothingToQuantize(log, modelPath);
                choice = choice.NothingToQuantize();
            }

            return new EncoderSession(new InferenceSession(modelPath, cpuOptions), cpuOptions, ExecutionProviderKind.Cpu, choice);
        }
        catch
        {
            cpuOptions.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Session.Dispose();
        options.Dispose();
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Encoder:Precision asks for Int8, but {ModelPath} has no MatMul by a weight matrix to quantize, so it runs in Float32")]
    private static partial void LogNothingToQuantize(ILogger logger, string modelPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA is not available to the text encoder, so it runs on CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);
}
