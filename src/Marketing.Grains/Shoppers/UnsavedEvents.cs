using System.Buffers;
using System.Buffers.Binary;
using Marketing.Abstractions.Events;
using Marketing.Grains.Events;
using Orleans.Serialization;

namespace Marketing.Grains.Shoppers;

/// <summary>A logged record as a shopper keeps it until its state is written: the shopper is the grain's key.</summary>
[GenerateSerializer, Immutable, Alias("mk.UnsavedEvent")]
public readonly record struct UnsavedEvent(
    [property: Id(0)] long Seq,
    [property: Id(1)] DateTimeOffset LoggedAt,
    [property: Id(2)] EventSource Source,
    [property: Id(3)] bool Bot,
    [property: Id(4)] ShopperEvent Event)
{
    public static UnsavedEvent Of(LoggedEvent record) => new(record.Seq, record.LoggedAt, record.Source, record.Bot, record.Event);

    /// <summary>The logged record again, for the shopper whose events these are.</summary>
    public LoggedEvent ToLogged(string shopper) => new(shopper, Seq, LoggedAt, Source, Bot, Event);
}

/// <summary>
/// The records a shopper applied since its state was last written, read again only if another activation wrote first
/// (see the grain's merge). They are kept serialized, length-prefixed, in one buffer from the silo's
/// <see cref="UnsavedEventBuffers"/>, not as objects: they are held for up to a flush interval, and as four or five
/// objects each they outlived every young collection meanwhile, each of which had to copy them with the silo stopped.
/// Past <paramref name="capacity"/> records the oldest are dropped (while storage refuses writes they would pile up).
/// </summary>
public sealed class UnsavedEvents(UnsavedEventBuffers buffers, Serializer<UnsavedEvent> serializer, int capacity)
    : IBufferWriter<byte>
{
    private const int Prefix = sizeof(int);

    private byte[]? _buffer;
    private int _start;
    private int _end;

    public int Count { get; private set; }

    /// <summary>Records dropped to stay within the capacity since the last <see cref="Clear"/>.</summary>
    public int Dropped { get; private set; }

    public void Add(IEnumerable<LoggedEvent> records)
    {
        foreach (var record in records)
        {
            // The length goes in front once the record is written; serializing may move the kept bytes to a new buffer.
            GetSpan(Prefix);
            var offset = _end - _start;
            _end += Prefix;
            try
            {
                serializer.Serialize(UnsavedEvent.Of(record), this);
            }
            catch
            {
                _end = _start + offset;
                throw;
            }

            var at = _start + offset;
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), _end - at - Prefix);
            Count++;
        }

        while (Count > capacity)
        {
            _start += Prefix + BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
            Count--;
            Dropped++;
        }
    }

    /// <summary>The kept records, oldest first, as the log holds them.</summary>
    public List<LoggedEvent> Read(string shopper)
    {
        var records = new List<LoggedEvent>(Count);
        for (var at = _start; at < _end;)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(at));
            var e = serializer.Deserialize(_buffer.AsSpan(at + Prefix, length));
            records.Add(e.ToLogged(shopper));
            at += Prefix + length;
        }

        return records;
    }

    /// <summary>Forgets every record (the state holding them was written) and hands the buffer back.</summary>
    public void Clear()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            buffers.Return(buffer);
        }

        _start = _end = Count = Dropped = 0;
    }

    public void Advance(int count) => _end += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(_end);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(_end);
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 16);
        if (_buffer is not null && _buffer.Length - _end >= needed)
        {
            return;
        }

        // A new buffer holding only what is kept: the same size when dropped records left room at the front, else double.
        var kept = _end - _start;
        var size = _buffer is { } current && kept < current.Length / 2 ? current.Length : kept * 2;
        var next = buffers.Rent(Math.Max(kept + needed, size));
        if (_buffer is { } old)
        {
            old.AsSpan(_start, kept).CopyTo(next);
            buffers.Return(old);
        }

        _buffer = next;
        _start = 0;
        _end = kept;
    }
}

/// <summary>
/// The silo's buffers for <see cref="UnsavedEvents"/>, in sizes from 256 bytes doubling to 256 KiB. A returned buffer
/// is kept (up to <see cref="MaxIdleBytes"/> in all) for the next shopper, so in steady intake the buffers are old and
/// reused and a collection has nothing of them to move. Larger requests get a plain array.
/// </summary>
public sealed class UnsavedEventBuffers
{
    public const int MinBytes = 256;
    public const long MaxIdleBytes = 4L << 20;
    private const int Sizes = 11;

    private readonly Lock _lock = new();
    private readonly Stack<byte[]>[] _idle = [.. Enumerable.Range(0, Sizes).Select(_ => new Stack<byte[]>())];
    private long _idleBytes;

    public long IdleBytes
    {
        get
        {
            lock (_lock)
            {
                return _idleBytes;
            }
        }
    }

    public byte[] Rent(int minBytes)
    {
        var size = SizeFor(minBytes);
        if (size >= Sizes)
        {
            return new byte[minBytes];
        }

        lock (_lock)
        {
            if (_idle[size].TryPop(out var buffer))
            {
                _idleBytes -= buffer.Length;
                return buffer;
            }
        }

        return new byte[MinBytes << size];
    }

    public void Return(byte[] buffer)
    {
        var size = SizeFor(buffer.Length);
        if (size >= Sizes || MinBytes << size != buffer.Length)
        {
            return;
        }

        lock (_lock)
        {
            if (_idleBytes + buffer.Length <= MaxIdleBytes)
            {
                _idle[size].Push(buffer);
                _idleBytes += buffer.Length;
            }
        }
    }

    private static int SizeFor(int bytes) =>
        bytes <= MinBytes ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(bytes - 1)) - 8;
}
