using Google.Protobuf;

namespace Etcd.Raft;

/// <summary>A member of a brand-new cluster, as passed to <see cref="RawNode.Bootstrap"/>.</summary>
/// <param name="Id">The member's Raft id (never 0).</param>
/// <param name="Context">Opaque data carried in the bootstrap ConfChange (etcd puts the member's JSON here).</param>
public readonly record struct Peer(ulong Id, ByteString Context)
{
    public Peer(ulong id)
        : this(id, ByteString.Empty)
    {
    }
}
