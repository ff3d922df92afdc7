namespace Marketing.Api.Home;

/// <summary>Section <c>Api:Home</c>: links shown on the landing page.</summary>
public sealed class HomeOptions
{
    public const string SectionName = "Api:Home";

    /// <summary>The Orleans dashboard of a silo, as a browser reaches it.</summary>
    [System.ComponentModel.DataAnnotations.Url(ErrorMessage = "Api:Home:DashboardUrl must be an absolute URL.")]
    public string DashboardUrl { get; set; } = "http://127.0.0.1:8081/dashboard";
}
