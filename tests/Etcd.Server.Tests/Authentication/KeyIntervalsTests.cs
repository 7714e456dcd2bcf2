using System.Text;
using Etcd.Server.Authentication;

namespace Etcd.Server.Tests.Authentication;

public sealed class KeyIntervalsTests
{
    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static KeyIntervals Of(params (string Begin, string End)[] intervals) =>
        KeyIntervals.Merge(intervals.Select(i => (B(i.Begin), B(i.End))));

    [Fact]
    public void AKeyIsContainedOnlyInsideAHalfOpenInterval()
    {
        var intervals = Of(("b", "d"));
        Assert.False(intervals.Contains(B("a")));
        Assert.True(intervals.Contains(B("b")));
        Assert.True(intervals.Contains(B("c\xff")));
        Assert.False(intervals.Contains(B("d")));
    }

    [Fact]
    public void TouchingIntervalsCoverARangeAcrossTheirJoint()
    {
        var intervals = Of(("c", "e"), ("a", "c"));
        Assert.Equal(1, intervals.Count);
        Assert.True(intervals.Covers(B("a"), B("e")));
        Assert.True(intervals.Covers(B("b"), B("d")));
    }

    [Fact]
    public void AGapBetweenIntervalsLeavesARangeAcrossItUncovered()
    {
        var intervals = Of(("a", "c"), ("d", "f"));
        Assert.Equal(2, intervals.Count);
        Assert.False(intervals.Covers(B("b"), B("e")));
        Assert.True(intervals.Covers(B("d"), B("f")));
        Assert.False(intervals.Covers(B("d"), B("g")));
    }

    [Fact]
    public void AnEmptyEndIsOpenAndCoversEveryLaterKey()
    {
        var intervals = Of(("m", ""));
        Assert.True(intervals.Contains(B("zzzz")));
        Assert.True(intervals.Covers(B("n"), B("")));
        Assert.False(intervals.Covers(B("a"), B("")));
        Assert.False(Of(("m", "z")).Covers(B("n"), B("")));
    }

    [Fact]
    public void NothingIsContainedInNoIntervals()
    {
        Assert.False(KeyIntervals.Empty.Contains(B("a")));
        Assert.False(KeyIntervals.Empty.Covers(B("a"), B("b")));
    }
}
