namespace Marketing.Abstractions;

/// <summary>
/// Grain references for the hot paths. Orleans' <c>GetGrain&lt;T&gt;(key)</c> works the interface's type out from its
/// name (type-name formatting and attribute reflection) on every call; at thousands of calls a second in a silo that
/// was a tenth of everything it allocated. Here it is worked out once per interface and reused.
/// </summary>
public static class GrainReferences
{
    /// <summary>The same reference as <c>GetGrain&lt;T&gt;(key)</c>, for an interface with one implementation.</summary>
    public static T Ref<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey =>
        Resolved<T>.ByKey is { } types && grains.GetGrain(GrainId.Create(types.Grain, key), types.Interface) is T reference
            ? reference
            : Remember(grains.GetGrain<T>(key));

    /// <summary>The same reference as <c>GetGrain&lt;T&gt;(key)</c>, for an interface with one implementation.</summary>
    public static T Ref<T>(this IGrainFactory grains, long key)
        where T : IGrainWithIntegerKey =>
        Resolved<T>.ByKey is { } types
            && grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateIntegerKey(key)), types.Interface) is T reference
            ? reference
            : Remember(grains.GetGrain<T>(key));

    /// <summary>The same reference as <c>GetGrain&lt;T&gt;(id)</c>: <typeparamref name="T"/> as implemented by the grain <paramref name="id"/> names.</summary>
    public static T Ref<T>(this IGrainFactory grains, GrainId id)
        where T : IAddressable
    {
        if (Resolved<T>.Interface is { } types && grains.GetGrain(id, types.Interface) is T reference)
        {
            return reference;
        }

        var plain = grains.GetGrain<T>(id);
        if (plain is GrainReference resolved)
        {
            Resolved<T>.Interface ??= new Types(default, resolved.InterfaceType);
        }

        return plain;
    }

    /// <summary>
    /// Keeps what Orleans resolved for <typeparamref name="T"/>. A factory that hands out something else (a test's
    /// stand-in) is simply asked every time.
    /// </summary>
    private static T Remember<T>(T plain)
    {
        if (plain is GrainReference resolved)
        {
            Resolved<T>.ByKey ??= new Types(resolved.GrainId.Type, resolved.InterfaceType);
        }

        return plain;
    }

    private sealed record Types(GrainType Grain, GrainInterfaceType Interface);

    private static class Resolved<T>
    {
        // Set at most a few times at start by racing callers, each with the same value; a reference, so never torn.
        public static Types? ByKey;
        public static Types? Interface;
    }
}
