using Marketing.Cli.CommandLine;
using Marketing.Cli.Commands;

var commands = new Dictionary<string, Func<string[], Task<int>>>
{
    ["import"] = ImportCommand.RunAsync,
    ["bench intake"] = BenchIntakeCommand.RunAsync,
    ["bench memory"] = BenchMemoryCommand.RunAsync,
    ["bench encoder"] = BenchEncoderCommand.RunAsync,
    ["bench search"] = BenchSearchCommand.RunAsync,
};

return await CommandDispatcher.RunAsync(commands, args);
