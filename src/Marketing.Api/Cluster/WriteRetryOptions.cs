using System.ComponentModel.DataAnnotations;

namespace Marketing.Api.Cluster;

/// <summary>
/// Section <c>Api:Writes</c>: how the gateway resends a product, shopper or campaign write whose silo could not be
/// reached or died holding it (events have their own, <c>Api:Events</c>).
/// </summary>
public sealed class WriteRetryOptions
{
    public const string SectionName = "Api:Writes";

    /// <summary>
    /// How long a request keeps resending a write while its silo cannot be reached (a silo that died takes the cluster
    /// a few seconds to notice); after that the request is answered 503. Zero answers 503 at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00", ErrorMessage = "Api:Writes:UnavailableRetryTime must be between 0 and 1 minute.")]
    public TimeSpan UnavailableRetryTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a write that is safe to resend may go unanswered before it is sent again (each later attempt may take
    /// twice as long): a call pending on a killed silo is never answered, and Orleans would wait out its 30 s response
    /// timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "Api:Writes:AttemptTimeout must be between 100 ms and 5 minutes.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
