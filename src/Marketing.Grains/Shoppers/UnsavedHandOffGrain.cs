using System.Collections.Immutable;

namespace Marketing.Grains.Shoppers;

/// <summary>Keyed by the silo it answers for, and placed there (<see cref="SiloBoundPlacementAttribute"/>).</summary>
[SiloBoundPlacement]
[Reentrant]
internal sealed class UnsavedHandOffGrain(UnsavedHandOff handOff, ILocalSiloDetails silo) : Grain, IUnsavedHandOffGrain
{
    public Task<HandOffCopy> Take(string shopper)
    {
        // Placed elsewhere because the silo it names is gone: what that silo held went with it.
        if (!IsOnItsSilo)
        {
            return Task.FromResult(new HandOffCopy([], 0));
        }

        var events = handOff.Peek(shopper) is { } records ? records.Select(UnsavedEvent.Of).ToImmutableArray() : [];
        return Task.FromResult(new HandOffCopy(events, handOff.Waiting));
    }

    public Task Written(string shopper, DateTimeOffset loggedUpTo)
    {
        if (IsOnItsSilo)
        {
            handOff.Release(shopper, loggedUpTo);
        }

        return Task.CompletedTask;
    }

    private bool IsOnItsSilo => this.GetPrimaryKeyString() == silo.SiloAddress.ToParsableString();
}
