// Shared by the web hosts (gateway, silo); linked into each project rather than packaged.

namespace Marketing.Hosting;

internal static class DefaultUrlExtensions
{
    /// <summary>
    /// Listens on <paramref name="url"/> unless an address was given (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
    /// <c>Urls</c> or <c>Kestrel:Endpoints</c>). A default in appsettings.json would instead override the
    /// environment variable, which deployments and scripts rely on.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrl(this WebApplicationBuilder builder, string url)
    {
        var configured = !string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            || !string.IsNullOrEmpty(builder.Configuration["http_ports"])
            || builder.Configuration.GetSection("Kestrel:Endpoints").Exists();
        if (!configured)
        {
            builder.WebHost.UseUrls(url);
        }

        return builder;
    }
}
