using System.Text.Json;
using System.Text.Json.Serialization;

namespace Marketing.Api.Problems;

public static class ApiProblemsExtensions
{
    /// <summary>
    /// JSON conventions (camelCase, enums as kebab-case strings, unknown fields refused so typos surface), request
    /// limits, and ProblemDetails for every error the gateway answers.
    /// </summary>
    public static IHostApplicationBuilder AddApiProblems(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RequestLimitsOptions>()
            .BindConfiguration(RequestLimitsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        });

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    public static WebApplication UseApiProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        // Bare status codes (404 for an unknown route, 405) get a problem body too.
        app.UseStatusCodePages();
        return app;
    }
}
