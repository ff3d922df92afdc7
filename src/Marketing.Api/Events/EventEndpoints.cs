using Marketing.Abstractions.Events;
using Marketing.Api.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Marketing.Api.Events;

public static class EventEndpoints
{
    public static IHostApplicationBuilder AddEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<EventGatewayOptions>()
            .BindConfiguration(EventGatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<EventIngestion>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events", (HttpContext http, EventIngestion ingestion, CancellationToken ct) =>
                ingestion.IngestAsync(http, EventSource.Live, ct))
            .RequireAuthorization(ApiPolicies.SendEvents)
            .WithName("PostEvents")
            .WithSummary("Record shopper events")
            .WithDescription(
                "One event object or an array of up to Api:Limits:MaxEventsPerRequest (1,000) events. Every event is "
                + "checked first; any invalid field refuses the whole request (400, errors keyed like events[3].price) "
                + "and nothing is recorded. The answer comes once every event is durable; resending an eventId counts once.")
            .DescribeEvents();

        app.MapPost("/admin/import/events", (HttpContext http, EventIngestion ingestion, CancellationToken ct) =>
                ingestion.IngestAsync(http, EventSource.Import, ct))
            .RequireAuthorization(ApiPolicies.Operate)
            .WithName("ImportEvents")
            .WithSummary("Import historical events")
            .WithDescription("As POST /events, for imports of history: no bot-rate checks. Operators only.")
            .DescribeEvents();
        return app;
    }

    private static RouteHandlerBuilder DescribeEvents(this RouteHandlerBuilder endpoint) => endpoint
        .WithTags("Events")
        .Accepts<List<EventInput>>("application/json")
        .Produces<TrackSummary>(StatusCodes.Status202Accepted)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
