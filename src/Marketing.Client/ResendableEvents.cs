namespace Marketing.Client;

/// <summary>
/// How many events of one shopper a <c>Track</c> call may hold and still be sent again after it may have run: a
/// shopper recognises the ids of its last <c>Events:DedupeWindow</c> events, so a resent call is counted once only if
/// its ids are still in that window. Learns the window from the silos' answers (<c>TrackResult.DedupeWindow</c>).
/// Safe to use from concurrent calls.
/// </summary>
public sealed class ResendableEvents
{
    /// <summary>The least a silo's <c>Events:DedupeWindow</c> may be set to.</summary>
    public const int SmallestDedupeWindow = 8;

    // The smallest dedupe window the silos have reported; 0 until one has.
    private int _reportedWindow;

    /// <summary>
    /// Half the smallest dedupe window the silos have reported (so the shopper's other events meanwhile cannot push
    /// these ids out), and never fewer than the least window a silo may have; that least window until a silo has
    /// reported.
    /// </summary>
    public int Count
    {
        get
        {
            var reported = Volatile.Read(ref _reportedWindow);
            return reported == 0 ? SmallestDedupeWindow : Math.Max(SmallestDedupeWindow, reported / 2);
        }
    }

    /// <summary>Notes the dedupe window a silo reported; a smaller one than any before wins.</summary>
    public void Reported(int window)
    {
        if (window < SmallestDedupeWindow)
        {
            return;
        }

        var seen = Volatile.Read(ref _reportedWindow);
        while ((seen == 0 || window < seen) && Interlocked.CompareExchange(ref _reportedWindow, window, seen) is var before && before != seen)
        {
            seen = before;
        }
    }
}
