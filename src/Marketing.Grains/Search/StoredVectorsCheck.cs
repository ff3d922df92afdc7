using Marketing.Abstractions;
using Marketing.Abstractions.Search;
using Microsoft.Extensions.Logging;

namespace Marketing.Grains.Search;

/// <summary>
/// Once the silo is up, counts the indexed products whose vectors another model made (a swapped model file, or vectors
/// stored before they named their model) and warns about them: searches leave those products out until
/// <c>POST /search/reindex</c> embeds them again, and an operator should hear so at start, not from shoppers. Runs
/// off the start-up path, since the shards may first have to load their snapshots.
/// </summary>
internal sealed partial class StoredVectorsCheck(
    IGrainFactory grains, CurrentEmbeddingModel model, ILogger<StoredVectorsCheck> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _check = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(StoredVectorsCheck), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        _check = Task.Run(CheckAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _check.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task CheckAsync()
    {
        try
        {
            var counts = await grains.Ref<IProductSearchGrain>(0).IndexedByModel().WaitAsync(_stopping.Token);
            var others = counts.Where(c => !c.Model.Equals(model.Id)).ToList();
            if (others.Count > 0)
            {
                LogOtherModels(others.Sum(c => c.Products), model.Id, string.Join(", ", others.Select(c => $"{c.Model} ({c.Products})")));
            }
        }
        catch (Exception ex)
        {
            // A silo that stops before the shards answer has nothing to report.
            if (!_stopping.IsCancellationRequested)
            {
                LogCheckFailed(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} indexed products carry vectors made by another model than the encoder's {Model}: {OtherModels}. Searches leave them out until POST /search/reindex embeds them again")]
    private partial void LogOtherModels(int count, EmbeddingModelId model, string otherModels);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not count the indexed products of other embedding models at start; GET /search/status shows them")]
    private partial void LogCheckFailed(Exception ex);
}
