using System.Text.Json;
using Marketing.Abstractions.Events;
using Marketing.Cli.Benchmarks;
using Marketing.Cli.CommandLine;

namespace Marketing.Cli.Tests;

public class CommandLineTests
{
    [Fact]
    public void Options_and_positionals_are_read_in_both_spellings()
    {
        var args = new CommandArgs(["instacart", "--limit", "2000", "--batch=50", "--data", "/d"]);

        Assert.Equal(["instacart"], args.Positionals);
        Assert.Equal(2000, args.OptionalInt("limit"));
        Assert.Equal(50, args.Int("batch", 100));
        Assert.Equal(8, args.Int("concurrency", 8));
        Assert.Equal("/d", args.String("data"));
        args.EnsureAllUsed();
    }

    [Fact]
    public void A_misspelt_option_or_a_bad_number_is_refused_with_its_name()
    {
        var typo = new CommandArgs(["--concurency", "8"]);
        _ = typo.Int("concurrency", 4);
        Assert.Contains("--concurency", Assert.Throws<UsageException>(typo.EnsureAllUsed).Message);

        var bad = new CommandArgs(["--rate", "fast"]);
        Assert.Contains("--rate", Assert.Throws<UsageException>(() => bad.Int("rate", 1)).Message);
        Assert.Throws<UsageException>(() => new CommandArgs(["--rate", "1", "--rate", "2"]));
    }

    [Fact]
    public async Task The_longest_matching_command_name_wins_and_gets_the_remaining_arguments()
    {
        string[]? received = null;
        var commands = new Dictionary<string, CliCommand>
        {
            ["bench"] = new("all benches", "bench", _ => Task.FromResult(1)),
            ["bench encoder"] = new("the encoder", "bench encoder [--batch N]", a =>
            {
                received = a;
                return Task.FromResult(7);
            }),
        };

        Assert.Equal(7, await CommandDispatcher.RunAsync(commands, ["bench", "encoder", "--batch", "8"], TextWriter.Null, TextWriter.Null));
        Assert.Equal(["--batch", "8"], received ?? []);
        Assert.Equal(2, await CommandDispatcher.RunAsync(commands, ["nothing"], TextWriter.Null, TextWriter.Null));
    }

    [Fact]
    public async Task Help_shows_a_commands_options_without_running_it_and_a_usage_error_shows_them_too()
    {
        var ran = false;
        var commands = new Dictionary<string, CliCommand>
        {
            ["import"] = new("Import a dataset.", "import instacart [--limit N]", _ =>
            {
                ran = true;
                throw new UsageException("name one dataset");
            }),
        };

        var output = new StringWriter();
        Assert.Equal(0, await CommandDispatcher.RunAsync(commands, ["import", "--help"], output, TextWriter.Null));
        Assert.False(ran);
        Assert.Contains("usage: Marketing.Cli import instacart [--limit N]", output.ToString());

        var errors = new StringWriter();
        Assert.Equal(2, await CommandDispatcher.RunAsync(commands, ["import"], TextWriter.Null, errors));
        Assert.True(ran);
        Assert.Contains("import: name one dataset", errors.ToString());
        Assert.Contains("usage: Marketing.Cli import instacart [--limit N]", errors.ToString());

        var list = new StringWriter();
        Assert.Equal(0, await CommandDispatcher.RunAsync(commands, ["--help"], list, TextWriter.Null));
        Assert.Contains("import  Import a dataset.", list.ToString());
    }

    [Fact]
    public void Gateway_json_uses_the_wire_names_and_only_loopback_is_allowed()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var cart = new ShopperEvent { EventId = "e1", Type = ShopperEventType.AddToCart, Timestamp = now, Sku = "42", Quantity = 2, Price = 1.5m };
        using var single = JsonDocument.Parse(EventJson.Serialize("u1", [cart]));
        Assert.Equal("add-to-cart", single.RootElement.GetProperty("type").GetString());
        Assert.Equal("u1", single.RootElement.GetProperty("userId").GetString());
        Assert.Equal(2, single.RootElement.GetProperty("quantity").GetInt32());
        Assert.False(single.RootElement.TryGetProperty("query", out _));

        var purchase = new ShopperEvent { EventId = "e2", Type = ShopperEventType.Purchase, Timestamp = now, OrderId = "o", Lines = [new("42", 1, 2m)] };
        using var batch = JsonDocument.Parse(EventJson.Serialize("u1", [cart, purchase]));
        Assert.Equal(2, batch.RootElement.GetArrayLength());
        Assert.Equal("42", batch.RootElement[1].GetProperty("lines")[0].GetProperty("sku").GetString());

        Assert.True(HttpIntakeTarget.IsLoopback(new Uri("http://127.0.0.1:8080")));
        Assert.True(HttpIntakeTarget.IsLoopback(new Uri("http://localhost:8080")));
        Assert.True(HttpIntakeTarget.IsLoopback(new Uri("http://[::1]:8080")));
        Assert.False(HttpIntakeTarget.IsLoopback(new Uri("http://10.0.0.5:8080")));
    }

    [Fact]
    public void The_silo_memory_answer_is_read_and_an_unexpected_one_is_refused()
    {
        Assert.Equal(new MemorySnapshot(1_000_000, 42), MemorySnapshot.Parse("""{"gcHeapBytes":1000000,"activations":42}"""));
        Assert.Null(MemorySnapshot.Parse("""{"status":"ok"}"""));
    }

    [Fact]
    public void Report_tables_are_markdown_that_never_wraps()
    {
        var text = Marketing.Cli.Reporting.Report.Markdown(
            ["stage", "rows read"],
            [["instacart products with a long name that would wrap in a terminal", "49,688"], ["a|b", "1"]]);
        var lines = text.ReplaceLineEndings("\n").TrimEnd().Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.Equal("| :---", lines[1][..6]);
        Assert.EndsWith("---: |", lines[1]);
        Assert.All(lines, l => Assert.Equal(lines[0].Length, l.Length));
        Assert.Contains("a\\|b", lines[3]);
    }
}
