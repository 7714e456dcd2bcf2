using Etcd.Api.Etcdserverpb;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>A write whose proposer applied it and answered the client with success, and that answer.</summary>
internal sealed record AckedWrite(ulong Proposer, InternalRaftRequest Request, IMessage Response)
{
    public override string ToString() => $"write {Request.Header.ID:x} acknowledged by {Proposer}: {Request} -> {Response}";
}
