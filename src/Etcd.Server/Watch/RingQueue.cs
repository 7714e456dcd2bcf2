namespace Etcd.Server.Watch;

/// <summary>
/// A first-in first-out queue whose queued items can be reached by position from the head,
/// so an item not yet taken can still be changed in place (a watcher's queued events grow by
/// merging). Grows by doubling; not thread-safe.
/// </summary>
public sealed class RingQueue<T>
{
    private T[] _items = new T[16];
    private int _head;

    public int Count { get; private set; }

    public void Enqueue(in T item)
    {
        if (Count == _items.Length) Grow();
        _items[(_head + Count) % _items.Length] = item;
        Count++;
    }

    public bool TryDequeue(out T item)
    {
        if (Count == 0)
        {
            item = default!;
            return false;
        }
        item = _items[_head];
        _items[_head] = default!;
        _head = (_head + 1) % _items.Length;
        Count--;
        return true;
    }

    /// <summary>The item <paramref name="offset"/> places behind the head (0 is the next one taken).</summary>
    public ref T At(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, Count);
        return ref _items[(_head + offset) % _items.Length];
    }

    private void Grow()
    {
        var larger = new T[_items.Length * 2];
        for (var i = 0; i < Count; i++) larger[i] = _items[(_head + i) % _items.Length];
        _items = larger;
        _head = 0;
    }
}
