namespace Marketing.Cli.CommandLine;

/// <summary>
/// Picks the command whose name (one or more words, e.g. <c>bench intake</c>) is the longest prefix of the arguments
/// and hands it the rest. Commands stay independent: each is a static <c>RunAsync(string[] args)</c>. <c>--help</c>
/// (or <c>-h</c>) after a command's name prints its synopsis instead of running it.
/// </summary>
public static class CommandDispatcher
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, CliCommand> commands, string[] args, TextWriter? output = null, TextWriter? errors = null)
    {
        output ??= Console.Out;
        errors ??= Console.Error;
        var match = commands.Keys
            .Select(name => (Name: name, Words: name.Split(' ')))
            .Where(c => c.Words.Length <= args.Length && c.Words.SequenceEqual(args.Take(c.Words.Length), StringComparer.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Words.Length)
            .FirstOrDefault();

        if (match.Name is null)
        {
            return Usage(commands, args, output, errors);
        }

        var command = commands[match.Name];
        var rest = args[match.Words.Length..];
        if (rest.Any(a => a is "--help" or "-h"))
        {
            output.WriteLine(command.Summary);
            output.WriteLine($"usage: Marketing.Cli {command.Usage}");
            return 0;
        }

        try
        {
            return await command.RunAsync(rest);
        }
        catch (UsageException e)
        {
            errors.WriteLine($"{match.Name}: {e.Message}");
            errors.WriteLine($"usage: Marketing.Cli {command.Usage}");
            return 2;
        }
        catch (OperationCanceledException) when (ConsoleCancellation.Token.IsCancellationRequested)
        {
            errors.WriteLine("cancelled");
            return 130;
        }
    }

    private static int Usage(IReadOnlyDictionary<string, CliCommand> commands, string[] args, TextWriter output, TextWriter errors)
    {
        var unknown = args.Length == 0 || args[0] is "-h" or "--help" or "help" ? null : string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')));
        if (unknown is not null)
        {
            errors.WriteLine($"unknown command: {unknown}");
        }

        // Asked for help: the list is the answer, on standard output; after a mistake it goes with the error.
        var list = unknown is null ? output : errors;
        list.WriteLine("usage: Marketing.Cli <command> [options]   (Marketing.Cli <command> --help for its options)");
        list.WriteLine("commands:");
        var width = commands.Keys.Max(k => k.Length);
        foreach (var (name, command) in commands.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            list.WriteLine($"  {name.PadRight(width)}  {command.Summary}");
        }

        return unknown is null ? 0 : 2;
    }
}
