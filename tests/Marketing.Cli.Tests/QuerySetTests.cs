using Marketing.Cli.Evaluation;

namespace Marketing.Cli.Tests;

/// <summary>The judged query file of <c>bench search --queries</c>: mistakes are named by line, and the bundled set is sound.</summary>
public sealed class QuerySetTests
{
    private static readonly HashSet<string> Aisles = new(["laundry", "red wines", "fresh fruits", "dog food care"], StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void Queries_comments_and_several_aisles_are_read()
    {
        var queries = QuerySet.Parse(["# a comment", "", "my clothes are dirty | laundry", "a treat for rex | dog food care; fresh fruits"], Aisles, "test");

        Assert.Equal(2, queries.Count);
        Assert.Equal("my clothes are dirty", queries[0].Query);
        Assert.Equal(3, queries[0].Line);
        Assert.True(queries[1].Aisles.SetEquals(["dog food care", "fresh fruits"]));
    }

    [Theory]
    [InlineData("my clothes are dirty laundry", "line 1: needs exactly one '|'")]
    [InlineData("a | b | laundry", "line 1: needs exactly one '|'")]
    [InlineData(" | laundry", "line 1: has no query")]
    [InlineData("my clothes are dirty |  ; ", "line 1: query 'my clothes are dirty' names no aisle")]
    [InlineData("my clothes are dirty | laundromat", "line 1: aisle 'laundromat' is not in aisles.csv")]
    [InlineData("wash my laundry | laundry", "line 1: query 'wash my laundry' contains its aisle's name 'laundry'")]
    [InlineData("cheap Red Wines for a party | red wines", "contains its aisle's name 'red wines'")]
    public void A_bad_line_is_refused_with_its_number_and_reason(string line, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => QuerySet.Parse([line], Aisles, "test"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_query_and_an_empty_file_are_refused()
    {
        var twice = Assert.Throws<InvalidDataException>(() => QuerySet.Parse(["dirty shirts | laundry", "# x", "Dirty shirts | laundry"], Aisles, "test"));
        var empty = Assert.Throws<InvalidDataException>(() => QuerySet.Parse(["# only a comment"], Aisles, "test"));

        Assert.Contains("line 3: query 'Dirty shirts' is listed twice", twice.Message, StringComparison.Ordinal);
        Assert.Contains("no queries", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_bundled_everyday_set_has_at_least_fifty_queries_judged_by_real_aisles()
    {
        var aisles = File.ReadLines(Path.Combine(TestData.Dir, "instacart", "aisles.csv")).Skip(1)
            .Select(l => l[(l.IndexOf(',', StringComparison.Ordinal) + 1)..].Trim('"'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        var queries = QuerySet.Load(QuerySet.DefaultPath, aisles);

        Assert.True(queries.Count >= 50, $"{queries.Count} queries");
    }
}
