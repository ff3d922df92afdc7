using Marketing.Api.Events;
using OpenTelemetry.Metrics;

namespace Marketing.Api.Operations;

public static class OperationsExtensions
{
    private const string ReadyTag = "ready";

    /// <summary>Health checks (live: the process answers; ready: the cluster answers) and Prometheus metrics.</summary>
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<ClusterReadinessCheck>("cluster", tags: [ReadyTag]);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter(EventIngestion.MeterName, "Microsoft.Orleans", "System.Runtime")
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>Open without a key, for load balancers, orchestrators and scrapers.</summary>
    public static WebApplication MapOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        return app;
    }
}
