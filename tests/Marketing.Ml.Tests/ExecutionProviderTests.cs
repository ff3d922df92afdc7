using System.Runtime.InteropServices;
using Marketing.Ml.Embeddings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Ml.Tests;

[Collection(EncoderCollection.Name)]
public sealed class ExecutionProviderTests
{
    private static bool CudaDriverPresent => NativeLibrary.TryLoad("libcuda.so.1", out _);

    [Fact]
    public async Task Auto_runs_on_cpu_where_there_is_no_cuda_and_says_so_in_the_log()
    {
        var log = new ListLogger<OnnxTextEncoder>();

        using var encoder = new OnnxTextEncoder(Options.Create(new EncoderOptions { ExecutionProvider = ExecutionProviderPreference.Auto }), log);

        if (!CudaDriverPresent)
        {
            Assert.Equal(ExecutionProviderKind.Cpu, encoder.Provider);
        }

        Assert.Contains(log.Messages, m => m.Contains($"runs on {encoder.Provider}", StringComparison.Ordinal));
        Assert.Equal(384, (await encoder.EncodeAsync("Organic Bananas")).Length);
    }

    [Fact]
    public void Asking_for_cuda_where_there_is_none_stops_start_up_naming_the_setting()
    {
        if (CudaDriverPresent)
        {
            return; // Only meaningful where CUDA is absent.
        }

        var error = Assert.Throws<InvalidOperationException>(() =>
            new OnnxTextEncoder(Options.Create(new EncoderOptions { ExecutionProvider = ExecutionProviderPreference.Cuda })));

        Assert.Contains("Encoder:ExecutionProvider", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_file_stops_start_up_naming_the_setting()
    {
        var error = Assert.Throws<FileNotFoundException>(() =>
            new OnnxTextEncoder(Options.Create(new EncoderOptions { ModelPath = "/nonexistent/model.onnx" })));

        Assert.Contains("Encoder:ModelPath", error.Message, StringComparison.Ordinal);
    }

    private sealed class ListLogger<T> : ILogger<T>
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add(formatter(state, exception));
    }
}
