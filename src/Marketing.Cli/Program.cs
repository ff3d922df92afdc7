using Marketing.Cli.CommandLine;
using Marketing.Cli.Commands;

var commands = new Dictionary<string, CliCommand>
{
    ["import"] = new("Import a shared dataset through the Orleans client, with progress and a summary.", ImportCommand.Usage, ImportCommand.RunAsync),
    ["bench intake"] = new("Open-loop load test of event intake at a fixed offered rate.", BenchIntakeCommand.Usage, BenchIntakeCommand.RunAsync),
    ["bench memory"] = new("Silo memory per active shopper grain.", BenchMemoryCommand.Usage, BenchMemoryCommand.RunAsync),
    ["bench encoder"] = new("Our text encoder against the NuGet package's, and top-10 search over 50,000 vectors.", BenchEncoderCommand.Usage, BenchEncoderCommand.RunAsync),
    ["eval"] = new("Offline evaluation of the recommenders on MovieLens-100K, Amazon Beauty or any ratings/sequences CSV.", EvalCommand.Usage, EvalCommand.RunAsync),
    ["eval intents"] = new("Train the support intent classifier on one text,category CSV and score it on another (BANKING77 by default).", EvalIntentsCommand.Usage, EvalIntentsCommand.RunAsync),
    ["eval sentiment"] = new("Train the sentiment classifier on one labelled CSV and score it on another (fine-food reviews by default).", EvalSentimentCommand.Usage, EvalSentimentCommand.RunAsync),
    ["bench recommend"] = new("Open-loop GET /users/{id}/recommendations latency per context through the gateway, after seeding shoppers' events.", BenchRecommendCommand.Usage, BenchRecommendCommand.RunAsync),
    ["bench conversation"] = new("Support conversation turn latency through the gateway with the configured responder.", BenchConversationCommand.Usage, BenchConversationCommand.RunAsync),
    ["bench search"] = new("End-to-end GET /search latency, throughput and precision@10 through the gateway.", BenchSearchCommand.Usage, BenchSearchCommand.RunAsync),
};

return await CommandDispatcher.RunAsync(commands, args);
