using Marketing.Ml.Embeddings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Marketing.Grains.Search;

/// <summary>
/// Loads the text encoder while the silo starts, so the execution provider is chosen and logged at start-up (and a
/// broken model setting stops the silo) instead of on the first product upsert.
/// </summary>
internal sealed class EncoderWarmup(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<ITextEncoder>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
