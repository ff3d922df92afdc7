using System.Net;
using Marketing.Api.Docs;
using Microsoft.Extensions.Options;

namespace Marketing.Api.Home;

/// <summary>A small landing page that points people to the API reference, health and the silo dashboard.</summary>
public static class HomeEndpoints
{
    public static IHostApplicationBuilder AddHome(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HomeOptions>()
            .BindConfiguration(HomeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return builder;
    }

    public static WebApplication MapHome(this WebApplication app)
    {
        app.MapGet("/", (IOptions<HomeOptions> options) => TypedResults.Content(Page(options.Value), "text/html; charset=utf-8"))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }

    private static string Page(HomeOptions options)
    {
        var dashboard = WebUtility.HtmlEncode(options.DashboardUrl);
        return $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Marketing gateway</title>
              <style>
                body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; color: #1f2933; }
                h1 { font-size: 1.6rem; margin-bottom: .25rem; }
                p { color: #52606d; }
                li { margin: .4rem 0; }
                code { background: #f0f4f8; padding: 0 .25rem; border-radius: 3px; }
              </style>
            </head>
            <body>
              <h1>Marketing gateway</h1>
              <p>The HTTP entrance to the marketing cluster. Calls need an API key in the <code>X-Api-Key</code> header.</p>
              <ul>
                <li><a href="{{ApiDocsExtensions.ReferencePath}}">API reference</a> (try calls with a key)</li>
                <li><a href="{{ApiDocsExtensions.DocumentPath}}">OpenAPI document</a></li>
                <li><a href="/health/ready">Readiness</a> and <a href="/health/live">liveness</a></li>
                <li><a href="/metrics">Metrics</a> (Prometheus)</li>
                <li><a href="{{dashboard}}">Silo dashboard</a></li>
              </ul>
            </body>
            </html>
            """;
    }
}
