using System.Text;

namespace Marketing.Ml.Tests;

/// <summary>The real Instacart catalogue from the shared data folder (<c>MARKETING_DATA</c>, default <c>../shared/data</c> beside the repository).</summary>
public sealed class InstacartCatalogue
{
    private static readonly Lazy<InstacartCatalogue> Shared = new(Load);

    private InstacartCatalogue(IReadOnlyList<Product> products, IReadOnlyDictionary<int, string> aisles)
    {
        Products = products;
        Aisles = aisles;
    }

    public static InstacartCatalogue Instance => Shared.Value;

    public IReadOnlyList<Product> Products { get; }

    public IReadOnlyDictionary<int, string> Aisles { get; }

    public static string DataFolder
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("MARKETING_DATA");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return Path.GetFullPath(configured);
            }

            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Silo.sln")))
            {
                folder = folder.Parent;
            }

            return folder is null
                ? throw new InvalidOperationException("Cannot find the repository root (Silo.sln); set MARKETING_DATA.")
                : Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data"));
        }
    }

    private static InstacartCatalogue Load()
    {
        var folder = Path.Combine(DataFolder, "instacart");
        var products = ReadCsv(Path.Combine(folder, "products.csv"))
            .Select(row => new Product(int.Parse(row[0]), row[1], int.Parse(row[2]), int.Parse(row[3])))
            .ToList();
        var aisles = ReadCsv(Path.Combine(folder, "aisles.csv")).ToDictionary(row => int.Parse(row[0]), row => row[1]);
        return new InstacartCatalogue(products, aisles);
    }

    internal static IEnumerable<string[]> ReadCsv(string path)
    {
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            if (line.Length > 0)
            {
                yield return SplitCsvLine(line);
            }
        }
    }

    private static string[] SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }

    public sealed record Product(int Id, string Name, int AisleId, int DepartmentId);
}
