using Marketing.Cli.CommandLine;
using Marketing.Ml.Recommendations.Data;

namespace Marketing.Cli.Evaluation;

/// <summary>
/// Which file <c>eval --dataset</c> reads and in which layout: the two named datasets under the data folder, or any
/// CSV file (or a folder holding one) in either layout, the layout taken from <c>--format</c> or from its header.
/// </summary>
public sealed record EvalDataset(string Name, string Path, InteractionFormat Format)
{
    public static EvalDataset Resolve(string dataset, string? format, string dataDir)
    {
        var requested = format switch
        {
            null => (InteractionFormat?)null,
            _ when format.Equals("ratings", StringComparison.OrdinalIgnoreCase) => InteractionFormat.Ratings,
            _ when format.Equals("sequences", StringComparison.OrdinalIgnoreCase) => InteractionFormat.Sequences,
            _ => throw new UsageException($"--format must be ratings or sequences (got '{format}')"),
        };

        var (path, named) = dataset.ToLowerInvariant() switch
        {
            "movielens-100k" => (System.IO.Path.Combine(dataDir, "movielens-100k", "ratings.csv"), (InteractionFormat?)InteractionFormat.Ratings),
            "amazon-beauty" => (System.IO.Path.Combine(dataDir, "amazon-beauty", "Beauty.csv"), InteractionFormat.Sequences),
            _ => (FileIn(dataset), null),
        };

        if (!File.Exists(path))
        {
            throw new UsageException(named is null
                ? $"--dataset: no such file or folder '{dataset}' (give movielens-100k, amazon-beauty or the path of a CSV file)"
                : $"--dataset {dataset}: {path} not found (set --data or ${Import.DataPaths.EnvironmentVariable} to the shared data folder)");
        }

        if (named is not null && requested is not null && requested != named)
        {
            throw new UsageException($"--format {format} does not fit {dataset}, which is in the {named.Value.ToString().ToLowerInvariant()} format");
        }

        var layout = requested ?? named ?? InteractionLoader.DetectFormat(path)
            ?? throw new UsageException(
                $"--dataset {path}: the header has neither the ratings columns ({string.Join(',', InteractionLoader.RatingsColumns)}) " +
                $"nor the sequences columns ({string.Join(',', InteractionLoader.SequencesColumns)})");
        return new EvalDataset(named is null ? System.IO.Path.GetFileName(path) : dataset.ToLowerInvariant(), path, layout);
    }

    private static string FileIn(string pathOrFolder)
    {
        if (!Directory.Exists(pathOrFolder))
        {
            return System.IO.Path.GetFullPath(pathOrFolder);
        }

        var csvs = Directory.GetFiles(pathOrFolder, "*.csv");
        return csvs.Length == 1
            ? csvs[0]
            : throw new UsageException($"--dataset {pathOrFolder}: a folder must hold exactly one .csv file (it holds {csvs.Length}); name the file instead");
    }
}
