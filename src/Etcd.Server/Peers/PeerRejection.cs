using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// Why a member refused a peer call, as the status detail the caller matches on (etcd's texts for
/// the same refusals on its HTTP peer API).
/// </summary>
public static class PeerRejection
{
    public const string ClusterIdMismatch = "cluster ID mismatch";
    public const string ToFieldMismatch = "to field mismatch";
    public const string RemovedMember = "removed member";

    public static RpcException Rejected(StatusCode code, string detail, Metadata? trailers = null) =>
        new(new Status(code, detail), trailers ?? [], detail);

    public static bool Is(RpcException e, string detail) => e.Status.Detail == detail;
}
