using System.Diagnostics.Metrics;
using Marketing.Api.Events;
using Marketing.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Cluster;

/// <summary>
/// Sends the endpoints' grain writes through <see cref="ClusterRetry"/>, as events are sent: a write that finds its
/// silo unreachable is sent again for a while (<see cref="WriteRetryOptions"/>), so a silo's death costs a request a
/// few seconds rather than a 503. Bad input (<c>InvalidInputException</c>) and state conflicts are never resent.
/// </summary>
public sealed partial class ClusterWrites
{
    private readonly TimeSpan _retryTime;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger<ClusterWrites> _logger;
    private readonly Counter<long> _retries;

    public ClusterWrites(IOptions<WriteRetryOptions> options, TimeProvider time, IMeterFactory meters, ILogger<ClusterWrites> logger)
    {
        _retryTime = options.Value.UnavailableRetryTime;
        _attemptTimeout = options.Value.AttemptTimeout;
        _time = time;
        _logger = logger;
        _retries = meters.Create(EventIngestion.MeterName).CreateCounter<long>(
            "marketing.gateway.writes.retries", "{call}", "Writes sent again because their silo could not be reached or did not answer.");
    }

    /// <summary>
    /// Sends a write that is harmless to run twice (it sets values rather than adds to them), again also when its
    /// silo died holding it or left it unanswered.
    /// </summary>
    public Task<T> ResendAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken) =>
        ClusterRetry.RunAsync(write, mayRunTwice: true, _retryTime, _attemptTimeout, _time, OnRetry, cancellationToken);

    /// <summary>
    /// Sends a write that must not run twice: again only when the silo refused it or it never left (then it did not
    /// run); one that may have run is answered with its failure.
    /// </summary>
    public Task<T> SendOnceAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken) =>
        ClusterRetry.RunAsync(write, mayRunTwice: false, _retryTime, Timeout.InfiniteTimeSpan, _time, OnRetry, cancellationToken);

    private void OnRetry(Exception failure)
    {
        _retries.Add(1);
        LogRetrying(_logger, failure.GetType().Name, failure.Message);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A write's silo could not be reached ({ExceptionType}: {Reason}); sending it again")]
    private static partial void LogRetrying(ILogger logger, string exceptionType, string reason);
}

public static class ClusterWritesExtensions
{
    public static IHostApplicationBuilder AddClusterWrites(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<WriteRetryOptions>()
            .BindConfiguration(WriteRetryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ClusterWrites>();
        return builder;
    }
}
