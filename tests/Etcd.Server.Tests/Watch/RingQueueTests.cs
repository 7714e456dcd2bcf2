using Etcd.Server.Watch;

namespace Etcd.Server.Tests.Watch;

public sealed class RingQueueTests
{
    [Fact]
    public void KeepsOrderAcrossWrapAndGrowth()
    {
        var ring = new RingQueue<int>();
        var model = new Queue<int>();
        var next = 0;
        // Interleaved so the head wraps around before and after the array grows.
        foreach (var (add, take) in new[] { (10, 7), (12, 10), (40, 5), (3, 43) })
        {
            for (var i = 0; i < add; i++)
            {
                ring.Enqueue(next);
                model.Enqueue(next++);
            }
            for (var i = 0; i < take; i++)
            {
                Assert.True(ring.TryDequeue(out var got));
                Assert.Equal(model.Dequeue(), got);
            }
            Assert.Equal(model.Count, ring.Count);
        }
        Assert.False(ring.TryDequeue(out _));
    }

    [Fact]
    public void AnItemNotYetTakenCanBeChangedInPlace()
    {
        var ring = new RingQueue<int>();
        for (var i = 0; i < 20; i++) ring.Enqueue(i);
        for (var i = 0; i < 15; i++) ring.TryDequeue(out _);
        for (var i = 20; i < 30; i++) ring.Enqueue(i); // wraps
        ring.At(3) = -18;
        ring.At(ring.Count - 1) = -29;
        Assert.Throws<ArgumentOutOfRangeException>(() => ring.At(ring.Count));
        var rest = new List<int>();
        while (ring.TryDequeue(out var item)) rest.Add(item);
        Assert.Equal([15, 16, 17, -18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, -29], rest);
    }
}
