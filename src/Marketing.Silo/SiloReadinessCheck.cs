using Marketing.Ml.Embeddings;
using Marketing.Silo.EventLog;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Marketing.Silo;

/// <summary>Ready when this silo is an active cluster member and has replayed the log tails of silos that died.</summary>
public sealed class SiloReadinessCheck(IClusterMembershipService membership, ILocalSiloDetails local, IServiceProvider services) : IHealthCheck
{
    /// <summary>Meters of our own features, exported beside Orleans'.</summary>
    public const string MarketingMeters = "Marketing.*";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
        if (status != SiloStatus.Active)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"silo is {status}"));
        }

        if (services.GetService<EventLogRecovery>() is { IsCaughtUp: false })
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("replaying the event-log tails of dead silos"));
        }

        var activeSilos = membership.CurrentSnapshot.Members.Count(m => m.Value.Status == SiloStatus.Active);
        var encoder = services.GetService<BatchingTextEncoder>();
        var data = new Dictionary<string, object> { ["activeSilos"] = activeSilos };
        if (encoder is not null)
        {
            data["encoderProvider"] = encoder.Provider.ToString();
            data["encoderPrecision"] = encoder.Precision.ToString();
            data["encoderPrecisionReason"] = encoder.PrecisionReason;
            data["encoderQueue"] = encoder.QueueLength;
        }

        var provider = encoder is null ? "" : $"; text encoder on {encoder.Provider} in {encoder.Precision}";
        return Task.FromResult(HealthCheckResult.Healthy($"active; {activeSilos} active silos{provider}", data));
    }
}
