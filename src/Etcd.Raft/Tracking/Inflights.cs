namespace Etcd.Raft.Tracking;

/// <summary>
/// The last indexes of append messages sent to one follower and not yet acknowledged, oldest first.
/// A ring buffer bounded by the configured window: when it is full the leader stops sending.
/// </summary>
internal sealed class Inflights
{
    private readonly int _capacity;
    private ulong[] _buffer = [];
    private int _start;
    private int _count;

    public Inflights(int capacity) => _capacity = capacity;

    public int Count => _count;

    public bool IsFull => _count == _capacity;

    public int Capacity => _capacity;

    /// <summary>Records a message whose last entry is <paramref name="lastIndex"/>; indexes must increase.</summary>
    public void Add(ulong lastIndex)
    {
        if (IsFull)
        {
            throw new InvalidOperationException("cannot add into a full inflights window");
        }

        int next = _start + _count;
        if (next >= _capacity)
        {
            next -= _capacity;
        }

        if (next >= _buffer.Length)
        {
            Grow();
        }

        _buffer[next] = lastIndex;
        _count++;
    }

    /// <summary>The newest message was extended (more entries merged into it) up to <paramref name="lastIndex"/>.</summary>
    public void ExtendLast(ulong lastIndex)
    {
        if (_count == 0)
        {
            throw new InvalidOperationException("no message in flight to extend");
        }

        int last = _start + _count - 1;
        if (last >= _capacity)
        {
            last -= _capacity;
        }

        _buffer[last] = lastIndex;
    }

    /// <summary>Forgets every message whose last index is at most <paramref name="to"/> (acknowledged).</summary>
    public void FreeLE(ulong to)
    {
        if (_count == 0 || to < _buffer[_start])
        {
            return;
        }

        int idx = _start;
        int freed = 0;
        while (freed < _count && _buffer[idx] <= to)
        {
            freed++;
            if (++idx >= _capacity)
            {
                idx -= _capacity;
            }
        }

        _count -= freed;
        _start = _count == 0 ? 0 : idx;
    }

    /// <summary>Frees the oldest message, so a full window can make progress after a heartbeat reply.</summary>
    public void FreeFirstOne()
    {
        if (_count > 0)
        {
            FreeLE(_buffer[_start]);
        }
    }

    public void Reset()
    {
        _count = 0;
        _start = 0;
    }

    // The buffer grows lazily because most followers never fill a large window.
    private void Grow()
    {
        int size = _buffer.Length == 0 ? 1 : Math.Min(_buffer.Length * 2, _capacity);
        Array.Resize(ref _buffer, size);
    }
}
