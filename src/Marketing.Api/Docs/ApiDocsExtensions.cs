using Scalar.AspNetCore;

namespace Marketing.Api.Docs;

public static class ApiDocsExtensions
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/docs";

    /// <summary>The OpenAPI document, with the API-key scheme and each operation's roles.</summary>
    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Marketing gateway";
                document.Info.Description =
                    "Shopper events, shoppers, the catalogue and campaigns. Send an API key in the X-Api-Key header; "
                    + "errors are RFC 9457 problem documents, and invalid input names each field in `errors`.";
                return Task.CompletedTask;
            });
            o.AddOperationTransformer<ApiKeySecurityTransformer>();
        });
        return builder;
    }

    /// <summary><c>/openapi/v1.json</c> and the interactive reference at <c>/docs</c>; both open without a key.</summary>
    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, o => o
                .WithTitle("Marketing gateway")
                .AddPreferredSecuritySchemes(ApiKeySecurityTransformer.SchemeId)
                .DisableTelemetry())
            .AllowAnonymous();
        return app;
    }
}
