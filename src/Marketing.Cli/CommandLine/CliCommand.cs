namespace Marketing.Cli.CommandLine;

/// <summary>
/// One command of the CLI: what it does in a line, its synopsis (shown by <c>--help</c> and after a usage error) and
/// the method that runs it with the arguments after its name.
/// </summary>
public sealed record CliCommand(string Summary, string Usage, Func<string[], Task<int>> RunAsync);
