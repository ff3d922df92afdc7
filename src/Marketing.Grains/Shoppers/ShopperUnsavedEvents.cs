using Marketing.Grains.Events;
using Marketing.Grains.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;

namespace Marketing.Grains.Shoppers;

/// <summary>
/// A shopper activation's events applied since its state was last written: put on the stored state if another
/// activation wrote first (any the stored state holds, by event id, are skipped; none logged before an erasure come
/// back), or handed to the next activation through the silo's <see cref="UnsavedHandOff"/>.
/// </summary>
internal sealed partial class ShopperUnsavedEvents(
    Func<string> shopper,
    Func<ShopperState> state,
    IEventLog log,
    UnsavedHandOff handOff,
    UnsavedEventBuffers buffers,
    Serializer<UnsavedEvent> serializer,
    Action<ShopperState, LoggedEvent> apply,
    ILogger logger) : IUnsavedChanges
{
    /// <summary>Most unsaved events kept for a merge (while storage refuses writes they would pile up otherwise).</summary>
    private const int MaxUnsaved = 512;

    private UnsavedEvents? _unsaved;

    /// <summary>With some dropped, only a write of the state keeps them all.</summary>
    public bool CanHandOff => _unsaved is not { Dropped: > 0 };

    public void Keep(IEnumerable<LoggedEvent> records) =>
        (_unsaved ??= new UnsavedEvents(buffers, serializer, MaxUnsaved)).Add(records);

    public void Forget()
    {
        _unsaved?.Clear();
        _unsaved = null;
    }

    public void HandOff()
    {
        if (_unsaved is { Count: > 0 } unsaved)
        {
            handOff.HandOff(shopper(), unsaved.Read(shopper()));
        }
    }

    public async Task ReapplyAsync()
    {
        var mine = _unsaved?.Read(shopper()) ?? [];
        var dropped = _unsaved?.Dropped ?? 0;
        var erasedAt = state().Exists ? null : await log.ErasedAtAsync(shopper());
        var merged = ApplyNotHeld(mine, erasedAt).Count;
        LogMerged(shopper(), merged, mine.Count + dropped);
    }

    /// <summary>Applies the records the state does not hold yet (by event id), leaving out any logged before an erasure; returns those applied.</summary>
    public List<LoggedEvent> ApplyNotHeld(IEnumerable<LoggedEvent> records, DateTimeOffset? erasedAt)
    {
        var current = state();
        var applied = new List<LoggedEvent>();
        foreach (var record in records)
        {
            if ((erasedAt is null || record.LoggedAt > erasedAt)
                && !ShopperHistory.SeenRecently(current, ShopperHistory.EventIdHash(record.Event.EventId)))
            {
                apply(current, record);
                applied.Add(record);
            }
        }

        return applied;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopper {Shopper} was written by another activation meanwhile; merged {Merged} of its {Unsaved} unsaved events into the stored state")]
    private partial void LogMerged(string shopper, int merged, int unsaved);
}
