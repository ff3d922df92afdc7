using Marketing.Cli.CommandLine;
using Marketing.Cli.Commands;

namespace Marketing.Cli.Tests;

/// <summary>Mistakes in an evaluation's command line are refused before any model is loaded, naming what is wrong.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("eval-cli-").FullName;

    [Fact]
    public async Task A_missing_file_is_named()
    {
        var missing = Path.Combine(_folder, "nope.csv");

        var error = await Assert.ThrowsAsync<UsageException>(() => EvalIntentsCommand.RunAsync(["--train", missing, "--test", missing]));

        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public async Task A_file_without_the_text_or_label_column_is_refused_with_its_header()
    {
        var file = Write("wrong.csv", "sentence,intent\nhello,greeting\n");

        var error = await Assert.ThrowsAsync<UsageException>(() => EvalIntentsCommand.RunAsync(["--train", file, "--test", file]));

        Assert.Contains("'text'", error.Message);
        Assert.Contains("sentence,intent", error.Message);
    }

    [Fact]
    public async Task An_out_of_scope_label_the_test_set_never_uses_is_refused()
    {
        var file = Write("ok.csv", "text,category\nhello,greeting\nbye,goodbye\n");

        var error = await Assert.ThrowsAsync<UsageException>(() => EvalIntentsCommand.RunAsync(["--train", file, "--test", file, "--out-of-scope", "oos"]));

        Assert.Contains("'oos'", error.Message);
    }

    [Theory]
    [InlineData("--threshold", "1.5")]
    [InlineData("--threshold", "high")]
    [InlineData("--ngram-weight", "-1")]
    [InlineData("--epochs", "0")]
    [InlineData("--thresold", "0.5")]
    public async Task A_bad_option_value_names_the_option(string option, string value)
    {
        var file = Write("ok.csv", "text,category\nhello,greeting\nbye,goodbye\n");

        var error = await Assert.ThrowsAsync<UsageException>(() => EvalIntentsCommand.RunAsync(["--train", file, "--test", file, option, value]));

        Assert.Contains(option, error.Message);
    }

    [Fact]
    public async Task Sentiment_reads_its_own_columns()
    {
        var file = Write("reviews.csv", "text,category\ngreat,great\n");

        var error = await Assert.ThrowsAsync<UsageException>(() => EvalSentimentCommand.RunAsync(["--train", file, "--test", file]));

        Assert.Contains("'review'", error.Message);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }
}
