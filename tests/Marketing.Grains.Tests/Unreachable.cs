using System.Collections.Concurrent;

namespace Marketing.Grains.Tests;

/// <summary>A silo call filter that fails every call to the grains a test names, as calls to a dead silo's activations fail.</summary>
public sealed class Unreachable : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<GrainId, int> Refused = new();

    /// <summary>Calls to <paramref name="grain"/> fail until the returned handle is disposed.</summary>
    public static IDisposable Make(IAddressable grain)
    {
        var id = grain.GetGrainId();
        Refused[id] = 0;
        return new Handle(id);
    }

    public Task Invoke(IIncomingGrainCallContext context) =>
        Refused.ContainsKey(context.TargetId)
            ? throw new TimeoutException($"{context.TargetId} is unreachable (test)")
            : context.Invoke();

    private sealed class Handle(GrainId id) : IDisposable
    {
        public void Dispose() => Refused.TryRemove(id, out _);
    }
}
