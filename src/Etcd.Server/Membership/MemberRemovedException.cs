namespace Etcd.Server.Membership;

/// <summary>This member was removed from the cluster and must stop; its data dir is of no further use.</summary>
public sealed class MemberRemovedException() : Exception("the member has been permanently removed from the cluster");
