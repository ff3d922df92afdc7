using Marketing.Cli.Import;

namespace Marketing.Cli.Tests;

public class CsvReaderTests
{
    private static List<CsvRow> Read(string text, out CsvReader reader)
    {
        reader = new CsvReader(new StringReader(text));
        return [.. reader.Rows()];
    }

    [Fact]
    public void Quoted_fields_keep_their_commas_and_doubled_quotes()
    {
        var rows = Read("id,name\r\n1,\"Ziti, Marinara\"\r\n2,\"6\"\" Carrot Cake\"\r\n", out var reader);
        using (reader)
        {
            Assert.Equal(2, rows.Count);
            Assert.Equal("Ziti, Marinara", rows[0][reader.Column("name")]);
            Assert.Equal("6\" Carrot Cake", rows[1][reader.Column("name")]);
        }
    }

    [Fact]
    public void A_quoted_field_may_span_lines_and_line_numbers_follow_the_file()
    {
        var rows = Read("id,text\n1,\"first\nsecond\"\n2,plain\n", out var reader);
        using (reader)
        {
            Assert.Equal("first\nsecond", rows[0][1]);
            Assert.Equal(2, rows[0].Line);
            Assert.Equal(4, rows[1].Line);
        }
    }

    [Fact]
    public void Limit_caps_the_rows_read_and_blank_lines_are_skipped()
    {
        var rows = Read("a\n1\n\n2\n3\n", out var reader);
        using (reader)
        {
            Assert.Equal(["1", "2", "3"], rows.Select(r => r[0]));
        }

        using var limited = new CsvReader(new StringReader("a\n1\n2\n3\n"));
        Assert.Equal(2, limited.Rows(2).Count());
    }

    [Fact]
    public void A_missing_column_is_named_in_the_error()
    {
        using var reader = new CsvReader(new StringReader("user_id,item_id\n1,2\n"));
        var error = Assert.Throws<InvalidDataException>(() => reader.Column("rating"));
        Assert.Contains("rating", error.Message);
        Assert.Equal(string.Empty, reader.Rows().First()[5]);
    }
}
