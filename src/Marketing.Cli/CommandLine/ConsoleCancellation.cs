namespace Marketing.Cli.CommandLine;

/// <summary>Ctrl+C cancels the running command's work instead of killing the process mid-summary.</summary>
public static class ConsoleCancellation
{
    private static readonly CancellationTokenSource Source = Create();

    public static CancellationToken Token => Source.Token;

    private static CancellationTokenSource Create()
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (!source.IsCancellationRequested)
            {
                e.Cancel = true;
                source.Cancel();
            }
        };
        return source;
    }
}
