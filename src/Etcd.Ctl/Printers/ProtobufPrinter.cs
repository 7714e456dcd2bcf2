using Etcd.Api.Etcdserverpb;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Google.Protobuf;

namespace Etcd.Ctl.Printers;

/// <summary>The raw protobuf encoding of each response (-w protobuf), with no delimiter, as etcdctl writes it.</summary>
public sealed class ProtobufPrinter(ConsoleOutput output) : Printer("protobuf", output)
{
    public override void Get(RangeResponse r) => Emit(r);

    public override void Put(PutResponse r) => Emit(r);

    public override void Delete(DeleteRangeResponse r) => Emit(r);

    public override void Txn(TxnResponse r) => Emit(r);

    public override void Watch(WatchBatch r)
    {
        var message = new WatchResponse { Header = r.Header, CompactRevision = r.CompactRevision, Canceled = r.Canceled, Created = r.Created };
        message.Events.AddRange(r.Events);
        Emit(message);
    }

    // The Go client's lease responses are not protobuf messages, so etcdctl cannot encode them.
    public override void Grant(LeaseGrantResponse r) => NotMessage("clientv3.LeaseGrantResponse");

    public override void Revoke(long id, LeaseRevokeResponse r) => NotMessage("etcdserverpb.LeaseRevokeResponse");

    public override void KeepAlive(LeaseKeepAliveResponse r) => NotMessage("clientv3.LeaseKeepAliveResponse");

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys) => NotMessage("*clientv3.LeaseTimeToLiveResponse");

    public override void Leases(LeaseLeasesResponse r) => NotMessage("*clientv3.LeaseLeasesResponse");

    public override void MemberAdd(MemberAddResponse r) => Emit(r);

    public override void MemberRemove(ulong id, MemberRemoveResponse r) => Emit(r);

    public override void MemberUpdate(ulong id, MemberUpdateResponse r) => Emit(r);

    public override void MemberPromote(ulong id, MemberPromoteResponse r) => Emit(r);

    public override void MemberList(MemberListResponse r) => Emit(r);

    public override void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r) => Emit(r);

    public override void Alarm(AlarmResponse r) => Emit(r);

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Emit(r);

    public override void RoleGet(string role, AuthRoleGetResponse r) => Emit(r);

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Emit(r);

    public override void RoleList(AuthRoleListResponse r) => Emit(r);

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Emit(r);

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r) => Emit(r);

    public override void UserAdd(string user, AuthUserAddResponse r) => Emit(r);

    public override void UserGet(string user, AuthUserGetResponse r) => Emit(r);

    public override void UserList(AuthUserListResponse r) => Emit(r);

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Emit(r);

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Emit(r);

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Emit(r);

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Emit(r);

    private void Emit(IMessage message) => Out.Write(message.ToByteArray());

    private static void NotMessage(string goType)
        => throw new CtlExitException(ExitCode.BadFeature, "marshal unsupported for type " + goType);
}
