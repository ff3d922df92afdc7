using System.Collections.Concurrent;
using Orleans.Storage;

namespace Marketing.Grains.Tests;

/// <summary>
/// The test cluster's grain storage: memory storage, except that writes for the grains a test names fail, as writes
/// do when storage is overwhelmed.
/// </summary>
public sealed class FailingWrites(IGrainStorage inner) : IGrainStorage
{
    private static readonly ConcurrentDictionary<GrainId, int> Failing = new();

    /// <summary>Writes of <paramref name="grain"/> fail until the returned handle is disposed; it counts those refused.</summary>
    public static Refusal Refuse(IAddressable grain) => new(grain.GetGrainId());

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Failing.TryGetValue(grainId, out var refused))
        {
            Failing[grainId] = refused + 1;
            throw new IOException($"storage refused the write of {grainId} (test)");
        }

        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

    public sealed class Refusal : IDisposable
    {
        private readonly GrainId _grain;

        internal Refusal(GrainId grain)
        {
            _grain = grain;
            Failing[grain] = 0;
        }

        public int Refused => Failing.TryGetValue(_grain, out var refused) ? refused : 0;

        public void Dispose() => Failing.TryRemove(_grain, out _);
    }
}
