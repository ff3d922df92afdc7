using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketing.Ml.Embeddings;

public static class EncoderServiceCollectionExtensions
{
    /// <summary>
    /// Registers the process-wide text encoder: <see cref="ITextEncoder"/> is the <see cref="BatchingTextEncoder"/> over one
    /// <see cref="OnnxTextEncoder"/>, configured from the <c>Encoder</c> section. Needs <see cref="System.Diagnostics.Metrics.IMeterFactory"/>
    /// (every .NET host registers it). The model loads when the encoder is first resolved.
    /// </summary>
    public static IServiceCollection AddTextEncoder(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<EncoderOptions>()
            .BindConfiguration(EncoderOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<OnnxTextEncoder>();
        services.TryAddSingleton<BatchingTextEncoder>();
        services.TryAddSingleton<ITextEncoder>(sp => sp.GetRequiredService<BatchingTextEncoder>());
        return services;
    }
}
