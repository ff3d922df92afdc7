using System.Collections.Concurrent;

namespace Marketing.Grains.Tests;

/// <summary>
/// A silo call filter that holds calls of one method to the grains a test names for a while, as calls to products still
/// reading their state are held, and counts how many of those calls were in flight at once.
/// </summary>
public sealed class SlowCalls : IIncomingGrainCallFilter
{
    private static readonly ConcurrentDictionary<GrainId, Watch> Slowed = new();

    /// <summary>Calls of <paramref name="method"/> to <paramref name="grains"/> take at least <paramref name="delay"/> until the watch is disposed.</summary>
    public static Watch Make(string method, TimeSpan delay, IEnumerable<IAddressable> grains)
    {
        var watch = new Watch(method, delay);
        foreach (var grain in grains)
        {
            Slowed[grain.GetGrainId()] = watch;
            watch.Ids.Add(grain.GetGrainId());
        }

        return watch;
    }

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!Slowed.TryGetValue(context.TargetId, out var watch) || context.MethodName != watch.Method)
        {
            await context.Invoke();
            return;
        }

        watch.Enter();
        try
        {
            await Task.Delay(watch.Delay);
            await context.Invoke();
        }
        finally
        {
            watch.Leave();
        }
    }

    public sealed class Watch(string method, TimeSpan delay) : IDisposable
    {
        private int _inFlight;
        private int _most;

        public string Method { get; } = method;

        public TimeSpan Delay { get; } = delay;

        internal List<GrainId> Ids { get; } = [];

        /// <summary>The most calls to the named grains that were in flight at once.</summary>
        public int MostInFlight => Volatile.Read(ref _most);

        internal void Enter()
        {
            var now = Interlocked.Increment(ref _inFlight);
            int most;
            while (now > (most = Volatile.Read(ref _most)) && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }
        }

        internal void Leave() => Interlocked.Decrement(ref _inFlight);

        public void Dispose()
        {
            foreach (var id in Ids)
            {
                Slowed.TryRemove(id, out _);
            }
        }
    }
}
