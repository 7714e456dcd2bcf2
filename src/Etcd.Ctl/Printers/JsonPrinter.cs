using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Printers;

/// <summary>
/// One line of JSON per result (-w json), byte-identical to etcdctl: it marshals the Go client's
/// response structs, so some results nest the header and some inline it.
/// </summary>
public sealed class JsonPrinter(ConsoleOutput output) : Printer("json", output)
{
    public override void Get(RangeResponse r) => Emit(w => PbJson.Range(w, null, r));

    public override void Put(PutResponse r) => Emit(w => PbJson.Put(w, null, r));

    public override void Delete(DeleteRangeResponse r) => Emit(w => PbJson.Delete(w, null, r));

    public override void Txn(TxnResponse r) => Emit(w => PbJson.Txn(w, null, r));

    public override void Watch(WatchBatch r) => Emit(w =>
    {
        // clientv3.WatchResponse: exported Go field names, no omitempty at the top level.
        w.BeginObject().BeginObject("Header");
        PbJson.HeaderFields(w, r.Header);
        w.EndObject().BeginArray("Events");
        foreach (Event e in r.Events)
        {
            PbJson.Event(w, e);
        }

        w.EndArray().Int("CompactRevision", r.CompactRevision).Bool("Canceled", r.Canceled).Bool("Created", r.Created).EndObject();
    });

    public override void Grant(LeaseGrantResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.HeaderFields(w, r.Header);
        w.Int("ID", r.ID).Int("TTL", r.TTL).String("Error", r.Error).EndObject();
    });

    public override void Revoke(long id, LeaseRevokeResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void KeepAlive(LeaseKeepAliveResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.HeaderFields(w, r.Header);
        w.Int("ID", r.ID).Int("TTL", r.TTL).EndObject();
    });

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys) => Emit(w =>
    {
        w.BeginObject();
        PbJson.HeaderFields(w, r.Header);
        w.Int("id", r.ID).Int("ttl", r.TTL).Int("granted-ttl", r.GrantedTTL);
        if (r.Keys.Count == 0)
        {
            w.Null("keys");
        }
        else
        {
            w.BeginArray("keys");
            foreach (Google.Protobuf.ByteString key in r.Keys)
            {
                w.Bytes(null, key.Span);
            }

            w.EndArray();
        }

        w.EndObject();
    });

    public override void Leases(LeaseLeasesResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.HeaderFields(w, r.Header);
        w.BeginArray("leases");
        foreach (LeaseStatus lease in r.Leases)
        {
            w.BeginObject().Int("id", lease.ID).EndObject();
        }

        w.EndArray().EndObject();
    });

    public override void MemberAdd(MemberAddResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.Header(w, "header", r.Header);
        if (r.Member is not null)
        {
            PbJson.Member(w, "member", r.Member);
        }

        PbJson.Members(w, "members", r.Members);
        w.EndObject();
    });

    public override void MemberRemove(ulong id, MemberRemoveResponse r) => Emit(w => HeaderAndMembers(w, r.Header, r.Members));

    public override void MemberUpdate(ulong id, MemberUpdateResponse r) => Emit(w => HeaderAndMembers(w, r.Header, r.Members));

    public override void MemberPromote(ulong id, MemberPromoteResponse r) => Emit(w => HeaderAndMembers(w, r.Header, r.Members));

    public override void MemberList(MemberListResponse r) => Emit(w => HeaderAndMembers(w, r.Header, r.Members));

    public override void EndpointHealth(IReadOnlyList<EndpointHealthResult> r) => Emit(w =>
    {
        w.BeginArray();
        foreach (EndpointHealthResult h in r)
        {
            w.BeginObject().String("endpoint", h.Endpoint).Bool("health", h.Health).String("took", h.Took)
                .String("error", h.Error, true).EndObject();
        }

        w.EndArray();
    });

    public override void EndpointStatus(IReadOnlyList<EndpointStatusResult> r) => Emit(w =>
    {
        w.BeginArray();
        foreach (EndpointStatusResult s in r)
        {
            w.BeginObject().String("Endpoint", s.Endpoint);
            PbJson.Status(w, "Status", s.Status);
            w.EndObject();
        }

        w.EndArray();
    });

    public override void EndpointHashKV(IReadOnlyList<EndpointHashResult> r) => Emit(w =>
    {
        w.BeginArray();
        foreach (EndpointHashResult h in r)
        {
            w.BeginObject().String("Endpoint", h.Endpoint);
            PbJson.HashKV(w, "HashKV", h.HashKV);
            w.EndObject();
        }

        w.EndArray();
    });

    public override void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void Alarm(AlarmResponse r) => Emit(w => PbJson.Alarm(w, r));

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void RoleGet(string role, AuthRoleGetResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.Header(w, "header", r.Header);
        PbJson.Permissions(w, "perm", r.Perm);
        w.EndObject();
    });

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void RoleList(AuthRoleListResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.Header(w, "header", r.Header);
        PbJson.Strings(w, "roles", r.Roles);
        w.EndObject();
    });

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r)
        => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void UserAdd(string user, AuthUserAddResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void UserGet(string user, AuthUserGetResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.Header(w, "header", r.Header);
        PbJson.Strings(w, "roles", r.Roles);
        w.EndObject();
    });

    public override void UserList(AuthUserListResponse r) => Emit(w =>
    {
        w.BeginObject();
        PbJson.Header(w, "header", r.Header);
        PbJson.Strings(w, "users", r.Users);
        w.EndObject();
    });

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Emit(w => PbJson.HeaderOnly(w, r.Header));

    private static void HeaderAndMembers(GoJsonWriter w, ResponseHeader? header, Google.Protobuf.Collections.RepeatedField<Member> members)
    {
        w.BeginObject();
        PbJson.Header(w, "header", header);
        PbJson.Members(w, "members", members);
        w.EndObject();
    }

    private void Emit(Action<GoJsonWriter> write)
    {
        var w = new GoJsonWriter();
        write(w);
        Out.WriteLine(w.ToString());
    }
}
