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
}
