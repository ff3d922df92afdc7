using System.ComponentModel.DataAnnotations;

namespace Marketing.Silo;

/// <summary>Section <c>Silo</c>: this silo's endpoints, so several silos can share one machine.</summary>
public sealed class SiloEndpointOptions
{
    public const string SectionName = "Silo";

    [Range(1, 65535, ErrorMessage = "Silo:SiloPort must be a port number (1-65535).")]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535, ErrorMessage = "Silo:GatewayPort must be a port number (1-65535).")]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients use to reach this one (the pod IP in Kubernetes).</summary>
    [Required]
    [RegularExpression(@"^[0-9a-fA-F:.]+$", ErrorMessage = "Silo:AdvertisedIp must be an IP address.")]
    public string AdvertisedIp { get; set; } = "127.0.0.1";

    /// <summary>A readable name for logs and the dashboard.</summary>
    public string? Name { get; set; }

    /// <summary>Declare unreachable silos dead within seconds instead of the production default (local runs, tests).</summary>
    public bool FastFailureDetection { get; set; }

    /// <summary>
    /// Orleans' strongly consistent grain directory (experimental in Orleans 10) instead of the default, eventually
    /// consistent one. Every silo in a cluster must agree.
    /// </summary>
    public bool DistributedGrainDirectory { get; set; }
}
