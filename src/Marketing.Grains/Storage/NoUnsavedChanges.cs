namespace Marketing.Grains.Storage;

/// <summary>For state written through: every change is written by the call that made it, so nothing is ever unsaved.</summary>
internal sealed class NoUnsavedChanges : IUnsavedChanges
{
    public static readonly NoUnsavedChanges Instance = new();

    public bool CanHandOff => false;

    public Task ReapplyAsync() => Task.CompletedTask;

    public void HandOff()
    {
    }

    public void Forget()
    {
    }
}
