namespace Marketing.Cli.CommandLine;

/// <summary>
/// Picks the command whose name (one or more words, e.g. <c>bench intake</c>) is the longest prefix of the arguments
/// and hands it the rest. Commands stay independent: each is a static <c>RunAsync(string[] args)</c>.
/// </summary>
public static class CommandDispatcher
{
    public static async Task<int> RunAsync(IReadOnlyDictionary<string, Func<string[], Task<int>>> commands, string[] args)
    {
        var match = commands.Keys
            .Select(name => (Name: name, Words: name.Split(' ')))
            .Where(c => c.Words.Length <= args.Length && c.Words.SequenceEqual(args.Take(c.Words.Length), StringComparer.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Words.Length)
            .FirstOrDefault();

        if (match.Name is null)
        {
            return Usage(commands, args);
        }

        try
        {
            return await commands[match.Name](args[match.Words.Length..]);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"{match.Name}: {e.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (ConsoleCancellation.Token.IsCancellationRequested)
        {
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    private static int Usage(IReadOnlyDictionary<string, Func<string[], Task<int>>> commands, string[] args)
    {
        var unknown = args.Length == 0 || args[0] is "-h" or "--help" or "help" ? null : string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')));
        if (unknown is not null)
        {
            Console.Error.WriteLine($"unknown command: {unknown}");
        }

        Console.Error.WriteLine("usage: Marketing.Cli <command> [options]");
        Console.Error.WriteLine("commands:");
        foreach (var name in commands.Keys.Order(StringComparer.Ordinal))
        {
            Console.Error.WriteLine($"  {name}");
        }

        return unknown is null ? 0 : 2;
    }
}
