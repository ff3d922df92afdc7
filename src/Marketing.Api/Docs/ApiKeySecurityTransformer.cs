using Marketing.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Marketing.Api.Docs;

/// <summary>
/// Declares the <c>X-Api-Key</c> scheme and marks each protected operation with it and with the roles its policy
/// admits, so the API reference shows who may call what and lets a reader try calls with a key.
/// </summary>
internal sealed class ApiKeySecurityTransformer : IOpenApiOperationTransformer
{
    public const string SchemeId = ApiKeyAuthenticationHandler.SchemeName;

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            return Task.CompletedTask;
        }

        var document = context.Document;
        if (document is not null)
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes.TryAdd(SchemeId, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key from Api:Keys. Its role (storefront, agent, marketer, operator) decides which operations it may call.",
            });
        }

        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, document)] = [] });

        var roles = metadata.OfType<IAuthorizeData>()
            .Select(a => a.Policy)
            .OfType<string>()
            .SelectMany(p => ApiPolicies.Roles.TryGetValue(p, out var r) ? r : [])
            .Distinct()
            .ToArray();
        if (roles.Length > 0)
        {
            var line = $"Roles: {string.Join(", ", roles)}.";
            operation.Description = string.IsNullOrEmpty(operation.Description) ? line : $"{operation.Description}\n\n{line}";
        }

        operation.Responses ??= [];
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No API key, or an unknown one" });
        operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's role may not call this operation" });
        operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the key's rate limit; see Retry-After" });
        return Task.CompletedTask;
    }
}
