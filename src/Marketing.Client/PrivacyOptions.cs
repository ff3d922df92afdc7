using System.ComponentModel.DataAnnotations;

namespace Marketing.Client;

/// <summary>Section <c>Privacy</c>: the secret behind shopper pseudonyms. Every silo and client must share it.</summary>
public sealed class PrivacyOptions
{
    public const string SectionName = "Privacy";

    /// <summary>The development default; production deployments must set their own (see the Kubernetes manifests).</summary>
    public const string DevelopmentKey = "development-only-pseudonym-key";

    [Required]
    [MinLength(16, ErrorMessage = "Privacy:PseudonymKey must be at least 16 characters.")]
    public string PseudonymKey { get; set; } = DevelopmentKey;
}
