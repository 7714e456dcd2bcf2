using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;

namespace Etcd.Server.Compaction;

/// <summary>The member as a compactor sees it: compactions are proposed through Raft like a client's Compact.</summary>
public sealed class ServerCompactionTarget(Func<EtcdServer> server) : ICompactionTarget
{
    public long CurrentRevision => server().Kv.CurrentRevision;

    public bool IsLeader => server().Raft.IsLeader;

    public Task CompactAsync(long revision, CancellationToken cancellationToken) =>
        server().ProposeAsync(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = revision } }, cancellationToken);
}
