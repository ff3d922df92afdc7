using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Marketing.Grains.Conversations;

/// <summary>
/// Starts training the intent and sentiment models as the silo starts, in the background, so the first shopper turn
/// does not wait for it (under a busy CPU that can outlast a grain call's timeout). Start-up does not wait either.
/// </summary>
internal sealed partial class SupportModelsWarmup(SupportModels models, IOptions<SupportOptions> options, ILogger<SupportModelsWarmup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.TrainAtStart)
        {
            return Task.CompletedTask;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await models.WarmUpAsync();
            }
            catch (Exception e)
            {
                LogFailed(e);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Error, Message = "Training the support intent and sentiment models failed; conversation turns will retry it")]
    private partial void LogFailed(Exception exception);
}
