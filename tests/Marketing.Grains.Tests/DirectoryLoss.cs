using System.Collections.Concurrent;

namespace Marketing.Grains.Tests;

/// <summary>
/// A silo call filter that makes a grain the test names go through what Orleans does to it when the silo holding its
/// directory entry dies: right after its next call, it is deactivated for <see cref="DeactivationReasonCode.DirectoryFailure"/>.
/// </summary>
public sealed class DirectoryLoss : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<GrainId, (TaskCompletionSource Done, DeactivationReasonCode Reason)> Struck = new();

    /// <summary>
    /// Deactivates <paramref name="grain"/> after its next call, for <paramref name="reason"/> (a directory loss unless
    /// the test names another); the task completes once it is deactivated.
    /// </summary>
    public static Task Strike(IAddressable grain, DeactivationReasonCode reason = DeactivationReasonCode.DirectoryFailure)
    {
        var deactivated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Struck[grain.GetGrainId()] = (deactivated, reason);
        return deactivated.Task;
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        await context.Invoke();
        if (Struck.TryRemove(context.TargetId, out var struck))
        {
            var target = context.TargetContext;
            target.Deactivate(new DeactivationReason(struck.Reason, $"test: deactivated for {struck.Reason}"));
            _ = target.Deactivated.ContinueWith(_ => struck.Done.TrySetResult(), TaskScheduler.Default);
        }
    }
}
