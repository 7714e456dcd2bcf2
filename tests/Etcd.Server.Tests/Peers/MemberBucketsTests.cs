using Etcd.Mvcc;
using Etcd.Server.Membership;
using Etcd.Storage.Backend.Memory;

namespace Etcd.Server.Tests.Peers;

public sealed class MemberBucketsTests
{
    [Fact]
    public void MembersRemovalsAndVersionComeBack()
    {
        using var backend = new MemoryBackend();
        using (var kv = new KvStore(backend))
        {
            using var batch = kv.BeginApply();
            MemberBuckets.Save(batch, new Member { Id = 0xb, Name = "b", PeerUrls = ["http://b:2380"], ClientUrls = ["http://b:2379"] });
            MemberBuckets.Save(batch, new Member { Id = 0xa, Name = "", PeerUrls = ["http://a:2380"], IsLearner = true });
            MemberBuckets.Save(batch, new Member { Id = 0xc, Name = "c", PeerUrls = ["http://c:2380"] });
            MemberBuckets.SaveRemoved(batch, 0xc);
            MemberBuckets.SaveClusterVersion(batch, "3.5.0");
            batch.Commit();
        }
        using var view = backend.Snapshot();
        var (members, removed, version) = MemberBuckets.Load(view);
        Assert.Equal([0xaUL, 0xbUL], members.Select(m => m.Id));
        Assert.True(members[0].IsLearner);
        Assert.Equal(["http://b:2379"], members[1].ClientUrls);
        Assert.Equal([0xcUL], removed);
        Assert.Equal("3.5.0", version);
    }
}
