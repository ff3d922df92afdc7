using System.Globalization;

namespace Marketing.Cli.CommandLine;

/// <summary>
/// The arguments after the command name: positionals and <c>--name value</c> (or <c>--name=value</c>) options.
/// Every option a command reads is declared by reading it; <see cref="EnsureAllUsed"/> then rejects typos.
/// </summary>
public sealed class CommandArgs
{
    private readonly Dictionary<string, string> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _used = new(StringComparer.OrdinalIgnoreCase);

    public CommandArgs(IReadOnlyList<string> args)
    {
        var positionals = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            string value;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }
            else
            {
                value = "true";
            }

            if (name.Length == 0 || !_options.TryAdd(name, value))
            {
                throw new UsageException($"option --{name} given twice or empty");
            }
        }

        Positionals = positionals;
    }

    public IReadOnlyList<string> Positionals { get; }

    public string? String(string name)
    {
        _used.Add(name);
        return _options.GetValueOrDefault(name);
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = String(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw new UsageException($"--{name} must be a whole number between {min} and {max} (got '{text}')");
        }

        return value;
    }

    public int? OptionalInt(string name, int min = 1) => String(name) is null ? null : Int(name, 0, min);

    public TimeSpan Seconds(string name, double fallback)
    {
        var text = String(name);
        if (text is null)
        {
            return TimeSpan.FromSeconds(fallback);
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            throw new UsageException($"--{name} must be a positive number of seconds (got '{text}')");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>An option without a value (<c>--timeline</c>); <c>--timeline=false</c> turns it off.</summary>
    public bool Flag(string name) => Choice(name, "false", "true", "false") == "true";

    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = String(name, fallback);
        return allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new UsageException($"--{name} must be one of {string.Join(", ", allowed)} (got '{value}')");
    }

    /// <summary>Fails on any option no one asked for, so <c>--concurency 8</c> is not silently ignored.</summary>
    /// <summary>Refuses positional arguments, for commands that take options only.</summary>
    public void EnsureNoPositionals()
    {
        if (Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{Positionals[0]}'");
        }
    }

    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).Select(k => "--" + k).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"unknown option(s): {string.Join(", ", unknown)}");
        }
    }
}
