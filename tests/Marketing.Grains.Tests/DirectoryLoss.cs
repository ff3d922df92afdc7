using System.Collections.Concurrent;

namespace Marketing.Grains.Tests;

/// <summary>
/// A silo call filter that makes a grain the test names go through what Orleans does to it when the silo holding its
/// directory entry dies: right after its next call, it is deactivated for <see cref="DeactivationReasonCode.DirectoryFailure"/>.
/// </summary>
public sealed class DirectoryLoss : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<GrainId, TaskCompletionSource> Struck = new();

    /// <summary>Deactivates <paramref name="grain"/> after its next call; the task completes once it is deactivated.</summary>
    public static Task Strike(IAddressable grain)
    {
        var deactivated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Struck[grain.GetGrainId()] = deactivated;
        return deactivated.Task;
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (Struck.TryRemove(context.TargetId, out var deactivated))
        {
            var target = context.TargetContext;
            target.Deactivate(new DeactivationReason(DeactivationReasonCode.DirectoryFailure, "test: the silo holding this grain's directory entry died"));
            _ = target.Deactivated.ContinueWith(_ => deactivated.TrySetResult(), TaskScheduler.Default);
        }
    }
}
