using System.ComponentModel.DataAnnotations;

namespace Marketing.Api.Events;

/// <summary>Section <c>Api:Events</c>: how the gateway delivers events to the cluster.</summary>
public sealed class EventGatewayOptions
{
    public const string SectionName = "Api:Events";

    /// <summary>
    /// How long a request keeps resending a shopper's events while their silo cannot be reached (a silo that died
    /// takes the cluster a few seconds to notice); after that the request is answered 503. Zero answers 503 at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Api:Events:UnavailableRetryTime must be between 0 and 1 minute.")]
    public TimeSpan UnavailableRetryTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a shopper's call may go unanswered before its events are sent again (each later attempt may take
    /// twice as long as the one before). A call pending on a silo that
    /// was killed is never answered (Orleans gives up only after its 30 s response timeout); events have ids, so a
    /// resent call counts them once. Only calls small enough for the shopper to recognise are resent, as for an
    /// unreachable silo (see <c>EventIngestion</c>); then <see cref="UnavailableRetryTime"/> applies from this first
    /// failure on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Api:Events:AttemptTimeout must be between 100 ms and 5 minutes.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
