namespace Marketing.Grains.Events;

/// <summary>
/// Knows, for this silo, the oldest logged record not yet reflected in persisted grain state. Grains take their
/// log timestamp from <see cref="Stamp"/> (which marks them dirty in the same step) and report <see cref="Clean"/>
/// after writing state, so <see cref="Checkpoint"/> is always safe: everything logged before it is in grain state.
/// </summary>
public sealed class WriteBehindTracker(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _dirtySince = new(StringComparer.Ordinal);

    public int DirtyCount
    {
        get
        {
            lock (_lock)
            {
                return _dirtySince.Count;
            }
        }
    }

    /// <summary>The timestamp for records about to be logged for <paramref name="key"/>; marks it dirty from then.</summary>
    public DateTimeOffset Stamp(string key)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            _dirtySince.TryAdd(key, now);
            return now;
        }
    }

    public void Clean(string key)
    {
        lock (_lock)
        {
            _dirtySince.Remove(key);
        }
    }

    /// <summary>
    /// Cleans <paramref name="key"/> only if it has been dirty since no later than <paramref name="instant"/>: its
    /// records up to then were written elsewhere, and a mark set after them is a newer activation's own.
    /// </summary>
    public void CleanIfDirtySinceAtMost(string key, DateTimeOffset instant)
    {
        lock (_lock)
        {
            if (_dirtySince.TryGetValue(key, out var since) && since <= instant)
            {
                _dirtySince.Remove(key);
            }
        }
    }

    /// <summary>Every record stamped before this instant is in persisted state (or belongs to an erased shopper).</summary>
    public DateTimeOffset Checkpoint()
    {
        lock (_lock)
        {
            var checkpoint = time.GetUtcNow();
            foreach (var since in _dirtySince.Values)
            {
                if (since < checkpoint)
                {
                    checkpoint = since;
                }
            }

            return checkpoint;
        }
    }
}
