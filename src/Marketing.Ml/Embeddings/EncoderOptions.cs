using System.ComponentModel.DataAnnotations;

namespace Marketing.Ml.Embeddings;

/// <summary>Which ONNX Runtime execution provider the encoder runs on.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when it can be loaded, CPU otherwise.</summary>
    Auto,

    /// <summary>CPU only.</summary>
    Cpu,

    /// <summary>CUDA only: start-up fails when CUDA cannot be loaded.</summary>
    Cuda,
}

/// <summary>When ONNX Runtime's worker threads may spin (busy-wait for work) instead of sleeping.</summary>
public enum EncoderSpinning
{
    /// <summary>
    /// Never: every parallel section wakes sleeping threads, which adds about 0.4 ms to a lone request on 2 cores, but
    /// leaves the cores to the rest of the silo (the default: faster imports and searches under load).
    /// </summary>
    Off,

    /// <summary>
    /// Inside a run only: threads spin between the operators of a run and stop the moment the last run returns. A lone
    /// request is as fast as with the package's settings; a busy encoder takes CPU from grains, gateway and storage.
    /// </summary>
    WhileRunning,

    /// <summary>Also after a run, until ONNX Runtime's spin limit: the package default, which burns CPU between requests.</summary>
    Always,
}

/// <summary>The arithmetic of the encoder's weight matrices on the CPU provider (CUDA always runs the model as given).</summary>
public enum EncoderPrecision
{
    /// <summary>
    /// Chosen for the machine at start (the default): <see cref="Int8"/> where the CPU has VNNI (or Arm's dot product),
    /// <see cref="Float32"/> elsewhere; see <see cref="PrecisionChoice"/>. The log, <c>/health/ready</c> and
    /// <c>GET /search/status</c> say which and why.
    /// </summary>
    Auto,

    /// <summary>
    /// 8-bit integers: at start every weight matrix is quantized in blocks of 16 along its input, each block with its
    /// own scale, and activations are quantized per row in blocks of 16 as they run (ONNX Runtime's MatMulNBits).
    /// With VNNI a lone request about a quarter faster and 20 % more sentences a second on 2 cores; without it (AVX2
    /// only) a third fewer. Vectors within a cosine of 0.999 of the float model's, and a text's vector does not depend
    /// on its batch-mates.
    /// </summary>
    Int8,

    /// <summary>The model's own 32-bit floats: exactly the reference vectors.</summary>
    Float32,
}

/// <summary>The execution provider an encoder actually runs on.</summary>
public enum ExecutionProviderKind
{
    Cpu,
    Cuda,
}

/// <summary>
/// Settings of the text encoder (section <c>Encoder</c>). The defaults run all-MiniLM-L6-v2 from the files the build
/// extracts next to the application; any BERT-style ONNX model with a WordPiece vocabulary can replace it.
/// </summary>
public sealed class EncoderOptions
{
    public const string SectionName = "Encoder";

    /// <summary>Folder, relative to the application, where the build places all-MiniLM-L6-v2.</summary>
    public const string DefaultModelFolder = "models/all-MiniLM-L6-v2";

    private string? _modelPath;
    private string? _vocabPath;

    /// <summary>
    /// Which bundled model runs (<see cref="TextModel"/>); it gives the defaults of <see cref="ModelPath"/>,
    /// <see cref="VocabPath"/>, <see cref="Pooling"/> and <see cref="QueryPrefix"/>, each of which may still be set.
    /// </summary>
    [EnumDataType(typeof(TextModel))]
    public TextModel Model { get; set; } = TextModel.MiniLm;

    /// <summary>ONNX model file; a relative path is resolved against the application folder. Default: <see cref="Model"/>'s.</summary>
    public string ModelPath
    {
        get => _modelPath ?? BundledTextModel.Of(Model).Folder + "/model.onnx";
        set => _modelPath = value;
    }

    /// <summary>WordPiece vocabulary (one token a line); a relative path is resolved against the application folder. Default: <see cref="Model"/>'s.</summary>
    public string VocabPath
    {
        get => _vocabPath ?? BundledTextModel.Of(Model).Folder + "/vocab.txt";
        set => _vocabPath = value;
    }

    /// <summary>How token states become a vector, for a model that outputs token states; null: <see cref="Model"/>'s own.</summary>
    [EnumDataType(typeof(EncoderPooling))]
    public EncoderPooling? Pooling { get; set; }

    /// <summary>Put before a search query (never before a product's text); null: <see cref="Model"/>'s own.</summary>
    [StringLength(200)]
    public string? QueryPrefix { get; set; }

    /// <summary>The pooling in force: <see cref="Pooling"/> or the bundled model's.</summary>
    public EncoderPooling EffectivePooling => Pooling ?? BundledTextModel.Of(Model).Pooling;

    /// <summary>The query prefix in force: <see cref="QueryPrefix"/> or the bundled model's.</summary>
    public string EffectiveQueryPrefix => QueryPrefix ?? BundledTextModel.Of(Model).QueryPrefix;

    /// <summary>Whether the model is uncased (all-MiniLM-L6-v2 is): text is lower-cased before tokenisation.</summary>
    public bool LowerCase { get; set; } = true;

    /// <summary>Longer texts are truncated to this many tokens, [CLS] and [SEP] included (all-MiniLM-L6-v2 was trained on 256).</summary>
    [Range(4, 512)]
    public int MaxTokens { get; set; } = 256;

    /// <summary>Most texts in one inference run.</summary>
    [Range(1, 1024)]
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>
    /// How long a dispatcher may wait for more texts while another inference run is in flight. None by default: a batch
    /// gathers only the texts already waiting, and a text that finds the encoder idle runs at once whatever this is.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.Zero;

    /// <summary>Most texts waiting for inference; more are refused with <see cref="EncoderOverloadedException"/>.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueueLength { get; set; } = 4096;

    [EnumDataType(typeof(ExecutionProviderPreference))]
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>Threads ONNX Runtime uses inside one inference run; 0 lets it choose (one per core).</summary>
    [Range(0, 256)]
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Inference runs in flight at once on the one session, each from its own dispatcher thread. Two keep both cores of
    /// a small machine busy: one run's serial stretches between operators are the other's compute.
    /// </summary>
    [Range(1, 64)]
    public int ConcurrentRuns { get; set; } = 2;

    /// <summary>Weights in 8-bit blocks or as the model's floats on the CPU provider, or chosen for the machine; see <see cref="EncoderPrecision"/>.</summary>
    [EnumDataType(typeof(EncoderPrecision))]
    public EncoderPrecision Precision { get; set; } = EncoderPrecision.Auto;

    /// <summary>When ONNX Runtime's worker threads spin instead of sleeping; see <see cref="EncoderSpinning"/>.</summary>
    [EnumDataType(typeof(EncoderSpinning))]
    public EncoderSpinning Spinning { get; set; } = EncoderSpinning.Off;

    internal static string Resolve(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, path));
}
