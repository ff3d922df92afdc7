using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// Places a grain on the silo its key names (<see cref="SiloAddress.ToParsableString"/>), for asking one silo about
/// what it alone holds in memory. A key naming a silo that is gone places it locally, where it finds nothing.
/// </summary>
[Serializable, GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("mk.SiloBoundPlacement")]
public sealed class SiloBoundPlacement : PlacementStrategy
{
    internal static readonly SiloBoundPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloBoundPlacementAttribute : PlacementAttribute
{
    public SiloBoundPlacementAttribute()
        : base(SiloBoundPlacement.Instance)
    {
    }
}

internal sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var named = SiloAddress.FromParsableString(target.GrainIdentity.Key.ToString()!);
        return Task.FromResult(Array.IndexOf(context.GetCompatibleSilos(target), named) >= 0 ? named : context.LocalSilo);
    }
}
