using Etcd.Api.Etcdserverpb;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Printers;

/// <summary>
/// Renders command results in one output format (-w). Each format overrides what it supports;
/// the rest fail with etcdctl's "&lt;format&gt; not supported as output format".
/// </summary>
public abstract class Printer(string format, ConsoleOutput output)
{
    /// <summary>Where results go (stdout).</summary>
    protected ConsoleOutput Out { get; } = output;

    public string Format { get; } = format;

    /// <summary>Creates the printer for a --write-out value, or null for an unknown format.</summary>
    public static Printer? Create(string format, bool hex, ConsoleOutput output, ConsoleOutput error) => format switch
    {
        "simple" => new SimplePrinter(output, error, hex),
        "json" => new JsonPrinter(output),
        "fields" => new FieldsPrinter(output),
        "protobuf" => new ProtobufPrinter(output),
        "table" => new TablePrinter(output),
        _ => null,
    };

    public virtual void Get(RangeResponse r) => Unsupported();

    public virtual void Put(PutResponse r) => Unsupported();

    public virtual void Delete(DeleteRangeResponse r) => Unsupported();

    public virtual void Txn(TxnResponse r) => Unsupported();

    public virtual void Watch(WatchBatch r) => Unsupported();

    public virtual void Grant(LeaseGrantResponse r) => Unsupported();

    public virtual void Revoke(long id, LeaseRevokeResponse r) => Unsupported();

    public virtual void KeepAlive(LeaseKeepAliveResponse r) => Unsupported();

    public virtual void TimeToLive(LeaseTimeToLiveResponse r, bool keys) => Unsupported();

    public virtual void Leases(LeaseLeasesResponse r) => Unsupported();

    public virtual void MemberAdd(MemberAddResponse r) => Unsupported();

    public virtual void MemberRemove(ulong id, MemberRemoveResponse r) => Unsupported();

    public virtual void MemberUpdate(ulong id, MemberUpdateResponse r) => Unsupported();

    public virtual void MemberPromote(ulong id, MemberPromoteResponse r) => Unsupported();

    public virtual void MemberList(MemberListResponse r) => Unsupported();

    public virtual void EndpointHealth(IReadOnlyList<EndpointHealthResult> r) => Unsupported();

    public virtual void EndpointStatus(IReadOnlyList<EndpointStatusResult> r) => Unsupported();

    public virtual void EndpointHashKV(IReadOnlyList<EndpointHashResult> r) => Unsupported();

    public virtual void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r) => Unsupported();

    public virtual void Alarm(AlarmResponse r) => Unsupported();

    public virtual void RoleAdd(string role, AuthRoleAddResponse r) => Unsupported();

    public virtual void RoleGet(string role, AuthRoleGetResponse r) => Unsupported();

    public virtual void RoleDelete(string role, AuthRoleDeleteResponse r) => Unsupported();

    public virtual void RoleList(AuthRoleListResponse r) => Unsupported();

    public virtual void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Unsupported();

    public virtual void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r) => Unsupported();

    public virtual void UserAdd(string user, AuthUserAddResponse r) => Unsupported();

    public virtual void UserGet(string user, AuthUserGetResponse r) => Unsupported();

    public virtual void UserList(AuthUserListResponse r) => Unsupported();

    public virtual void UserChangePassword(AuthUserChangePasswordResponse r) => Unsupported();

    public virtual void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Unsupported();

    public virtual void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Unsupported();

    public virtual void UserDelete(string user, AuthUserDeleteResponse r) => Unsupported();

    protected void Unsupported()
        => throw new CtlExitException(ExitCode.BadFeature, Format + " not supported as output format");
}
