namespace Marketing.Cli.CommandLine;

/// <summary>A mistake in the command line; the dispatcher prints it and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
