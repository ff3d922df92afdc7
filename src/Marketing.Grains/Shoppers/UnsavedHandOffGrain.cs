using System.Collections.Immutable;

namespace Marketing.Grains.Shoppers;

/// <summary>One silo's <see cref="UnsavedHandOff"/>, for a shopper's next activation on another silo to take from.</summary>
[Alias("mk.IUnsavedHandOffGrain")]
public interface IUnsavedHandOffGrain : IGrainWithStringKey
{
    /// <summary>
    /// A copy of the events handed off here for <paramref name="shopper"/> (empty when none wait). They stay here
    /// until <see cref="Written"/>, and may still be delivered meanwhile: applying them twice is harmless (by event id).
    /// </summary>
    [Alias("Take")]
    Task<HandOffCopy> Take(string shopper);

    /// <summary>The caller stored the events it copied, logged up to <paramref name="loggedUpTo"/>: they are dropped here.</summary>
    [Alias("Written")]
    Task Written(string shopper, DateTimeOffset loggedUpTo);
}

/// <summary>
/// What <see cref="IUnsavedHandOffGrain.Take"/> answers: the events waiting for the shopper (empty when none), and
/// how many shoppers' events that silo still holds, so the asking silo can stop asking once it holds none.
/// </summary>
[GenerateSerializer, Immutable, Alias("mk.HandOffCopy")]
public readonly record struct HandOffCopy([property: Id(0)] ImmutableArray<UnsavedEvent> Events, [property: Id(1)] int Waiting);

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
