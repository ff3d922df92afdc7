using Marketing.Cli.Import;

namespace Marketing.Cli.Tests;

/// <summary>The shared datasets, found the way the CLI finds them ($MARKETING_DATA, else ../shared/data).</summary>
internal static class TestData
{
    public static string Dir { get; } = DataPaths.Resolve(null);

    public static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
