using Marketing.Cli.CommandLine;
using Marketing.Cli.Commands;

namespace Marketing.Cli.Tests.Evaluation;

public sealed class EvalCommandTests : IDisposable
{
    private static readonly Dictionary<string, CliCommand> Commands = new()
    {
        ["eval"] = new("Offline evaluation.", EvalCommand.Usage, EvalCommand.RunAsync),
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("eval-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_unknown_dataset_path_is_refused_with_exit_code_2_and_the_path()
    {
        var (code, errors) = await Run("eval", "--dataset", Path.Combine(_folder, "nope.csv"));

        Assert.Equal(2, code);
        Assert.Contains("nope.csv", errors);
        Assert.Contains("usage: Marketing.Cli eval", errors);
    }

    [Fact]
    public async Task A_file_with_the_wrong_columns_names_the_columns_it_needs()
    {
        var path = Path.Combine(_folder, "orders.csv");
        await File.WriteAllTextAsync(path, "customer,product,when\n1,2,3\n");

        var (guessed, guessErrors) = await Run("eval", "--dataset", path);
        var (given, givenErrors) = await Run("eval", "--dataset", path, "--format", "sequences");

        Assert.Equal((2, 2), (guessed, given));
        Assert.Contains("user_id,item_id,rating,timestamp", guessErrors);
        Assert.Contains("missing user_id,item_id,seq_pos", givenErrors);
    }

    [Fact]
    public async Task An_unknown_model_or_format_is_named()
    {
        var (model, modelErrors) = await Run("eval", "--models", "bert4rec");
        var (format, formatErrors) = await Run("eval", "--format", "baskets");

        Assert.Equal((2, 2), (model, format));
        Assert.Contains("bert4rec", modelErrors);
        Assert.Contains("--format", formatErrors);
    }

    [Fact]
    public async Task A_small_sequence_file_by_path_is_evaluated_into_a_json_file()
    {
        var path = Path.Combine(_folder, "sequences.csv");
        var lines = Enumerable.Range(0, 60).SelectMany(u => Enumerable.Range(0, 5).Select(p => $"{u},{(u + p) % 12},{p}"));
        await File.WriteAllLinesAsync(path, ["user_id,item_id,seq_pos", .. lines]);
        var json = Path.Combine(_folder, "out", "results.json");

        var (code, errors) = await Run("eval", "--dataset", path, "--models", "all", "--k", "1", "--out", json);

        Assert.True(code == 0, errors);
        var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var models = document.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()).ToList();
        Assert.Equal(["popularity", "item-knn", "ease", "sequential"], models);

        // Each shopper walks the items in a cycle, so the next item is always predictable from the last one.
        var sequential = document.RootElement.GetProperty("models")[3].GetProperty("metrics").GetProperty("HR@1").GetDouble();
        Assert.True(sequential > 0.9, $"HR@1 {sequential}");
    }

    private static async Task<(int Code, string Errors)> Run(params string[] args)
    {
        var errors = new StringWriter();
        var code = await CommandDispatcher.RunAsync(Commands, args, TextWriter.Null, errors);
        return (code, errors.ToString());
    }
}
