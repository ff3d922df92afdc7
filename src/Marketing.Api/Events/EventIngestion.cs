using System.Diagnostics.Metrics;
using Marketing.Abstractions;
using Marketing.Abstractions.Events;
using Marketing.Api.Problems;
using Marketing.Client;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Events;

/// <summary>
/// Takes a request's events to their shoppers' grains: read under the size limit, check everything, then one
/// <c>Track</c> call per shopper, all at once. Answers only after every call has completed, because a completed
/// <c>Track</c> means the events are durable and the shop may forget them. A call that finds its silo unreachable
/// or goes unanswered (its silo was killed holding it) is sent again for a while
/// (<see cref="EventGatewayOptions.UnavailableRetryTime"/>, <see cref="EventGatewayOptions.AttemptTimeout"/>, see
/// <see cref="ClusterRetry"/>).
/// </summary>
public sealed partial class EventIngestion
{
    public const string MeterName = "Marketing.Api";

    // How many of a shopper's events the silos' dedupe windows let a call resend (TrackResult.DedupeWindow).
    private readonly ResendableEvents _resendable = new();

    private readonly IGrainFactory _grains;
    private readonly ShopperPseudonym _pseudonym;
    private readonly RequestLimitsOptions _limits;
    private readonly TimeSpan _retryTime;
    private readonly TimeSpan _attemptTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger<EventIngestion> _logger;
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _rejectedRequests;
    private readonly Counter<long> _retries;

    public EventIngestion(
        IGrainFactory grains,
        ShopperPseudonym pseudonym,
        IOptions<RequestLimitsOptions> limits,
        IOptions<EventGatewayOptions> options,
        TimeProvider time,
        IMeterFactory meters,
        ILogger<EventIngestion> logger)
    {
        _grains = grains;
        _pseudonym = pseudonym;
        _limits = limits.Value;
        _retryTime = options.Value.UnavailableRetryTime;
        _attemptTimeout = options.Value.AttemptTimeout;
        _time = time;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _accepted = meter.CreateCounter<long>("marketing.gateway.events.accepted", "{event}", "Events the shoppers' grains recorded.");
        _duplicates = meter.CreateCounter<long>("marketing.gateway.events.duplicates", "{event}", "Resent events recognised by their id.");
        _rejectedRequests = meter.CreateCounter<long>("marketing.gateway.events.rejected_requests", "{request}", "Event requests refused as invalid.");
        _retries = meter.CreateCounter<long>("marketing.gateway.events.retries", "{call}", "Shopper calls sent again because their silo could not be reached or did not answer.");
    }

    public async Task<IResult> IngestAsync(HttpContext http, EventSource source, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadBytesAsync(http, _limits.EventsBodyBytes, cancellationToken);
        var json = TrimStart(body);
        if (json.IsEmpty)
        {
            throw BadRequestBodyException.Empty();
        }

        // One event or an array of them: look at the first byte rather than parse twice.
        var isArray = json[0] == (byte)'[';
        IReadOnlyList<EventInput?> inputs = isArray
            ? RequestBody.Deserialize<List<EventInput?>>(http, json, "events")
            : [RequestBody.Deserialize<EventInput>(http, json, rootName: null)];

        var batch = EventBatch.Check(inputs, isArray, _limits.MaxEventsPerRequest, _time.GetUtcNow());
        if (!batch.IsValid)
        {
            _rejectedRequests.Add(1);
            LogRejected(_logger, inputs.Count, batch.Errors.Count);
            return FieldErrors.Problem(batch.Errors, "No event in this request was recorded; fix the fields named in errors and resend it.");
        }

        // Every event has an id (it is required), and a shopper recognises the ids of its last Events:DedupeWindow
        // events, so a call that may have run already can be sent again if it is small enough to be recognised.
        var resendable = _resendable.Count;
        var results = await Task.WhenAll(batch.ByShopper.Select(async shopper =>
        {
            var grain = _grains.GetShopper(_pseudonym, shopper.Key);
            var mayRunTwice = shopper.Value.Length <= resendable;
            var result = await ClusterRetry.RunAsync(() => grain.Track(shopper.Value, source), mayRunTwice, _retryTime, _attemptTimeout, _time, OnRetry, cancellationToken);
            _resendable.Reported(result.DedupeWindow);
            return result;
        }));

        var summary = new TrackSummary(
            Accepted: results.Sum(r => r.Accepted),
            Duplicates: results.Sum(r => r.Duplicates),
            FlaggedAsBot: results.Count(r => r.FlaggedAsBot),
            Shoppers: results.Length);
        _accepted.Add(summary.Accepted);
        _duplicates.Add(summary.Duplicates);
        return TypedResults.Accepted((string?)null, summary);
    }

    private void OnRetry(Exception failure)
    {
        _retries.Add(1);
        LogRetrying(_logger, failure.GetType().Name, failure.Message);
    }

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> json)
    {
        if (json.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        return json.TrimStart(" \t\r\n"u8);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A shopper's silo could not be reached ({ExceptionType}: {Reason}); sending the events again")]
    private static partial void LogRetrying(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refused a request of {Events} events with {Errors} field errors")]
    private static partial void LogRejected(ILogger logger, int events, int errors);
}
