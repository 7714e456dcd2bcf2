using Etcd.Raft.Tracking;

namespace Etcd.Raft.Membership;

/// <summary>A new membership with its progress map, or why the change was refused.</summary>
internal readonly record struct ConfChangeResult(MembershipConfig Config, Dictionary<ulong, Progress> Progress, string? Error)
{
    public static ConfChangeResult Failed(string error) => new(MembershipConfig.Empty, [], error);

    public bool Succeeded => Error is null;
}
