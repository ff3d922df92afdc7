using Microsoft.Extensions.Options;

namespace Marketing.Api.Security;

/// <summary>Section <c>Api</c>: the API keys the gateway accepts (<c>Api:Keys</c>).</summary>
public sealed class ApiKeyOptions
{
    public const string SectionName = "Api";

    public List<ApiKey> Keys { get; set; } = [];
}

/// <summary>One caller: the secret it sends in <c>X-Api-Key</c>, its role, and a name for logs and rate limits.</summary>
public sealed class ApiKey
{
    public string Key { get; set; } = "";

    public string Role { get; set; } = "";

    public string Name { get; set; } = "";
}

/// <summary>Stops start-up on a key list that would lock everyone out or let a key mean two things.</summary>
internal sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public const int MinKeyLength = 12;

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        if (options.Keys.Count == 0)
        {
            return ValidateOptionsResult.Fail(
                "Api:Keys lists no API keys, so every request would be refused. Configure Api:Keys:0:Key, :Role and :Name "
                + "(environment: Api__Keys__0__Key ...), or run with ASPNETCORE_ENVIRONMENT=Development for the dev-only keys.");
        }

        var failures = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            if (string.IsNullOrWhiteSpace(key.Key) || key.Key.Length < MinKeyLength)
            {
                failures.Add($"Api:Keys:{i}:Key must be at least {MinKeyLength} characters.");
            }
            else if (!keys.Add(key.Key))
            {
                failures.Add($"Api:Keys:{i}:Key repeats an earlier key.");
            }

            if (!ApiRoles.All.Contains(key.Role))
            {
                failures.Add($"Api:Keys:{i}:Role is '{key.Role}'; expected one of {string.Join(", ", ApiRoles.All)}.");
            }

            if (string.IsNullOrWhiteSpace(key.Name))
            {
                failures.Add($"Api:Keys:{i}:Name is required (it names the caller in logs and rate limits).");
            }
            else if (!names.Add(key.Name))
            {
                failures.Add($"Api:Keys:{i}:Name '{key.Name}' repeats an earlier key's name.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
