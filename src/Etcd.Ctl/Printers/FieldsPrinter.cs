using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Printers;

/// <summary>"Name" : value lines (-w fields), one per response field, meant for scripts.</summary>
public sealed class FieldsPrinter(ConsoleOutput output) : Printer("fields", output)
{
    public override void Delete(DeleteRangeResponse r)
    {
        Header(r.Header);
        Line("Deleted", GoText.Dec(r.Deleted));
        foreach (KeyValue kv in r.PrevKvs)
        {
            KeyValueLines("Prev", kv);
        }
    }

    public override void Get(RangeResponse r)
    {
        Header(r.Header);
        foreach (KeyValue kv in r.Kvs)
        {
            KeyValueLines("", kv);
        }

        Line("More", GoText.Bool(r.More));
        Line("Count", GoText.Dec(r.Count));
    }

    public override void Put(PutResponse r)
    {
        Header(r.Header);
        if (r.PrevKv is not null)
        {
            KeyValueLines("Prev", r.PrevKv);
        }
    }

    public override void Txn(TxnResponse r)
    {
        Header(r.Header);
        Line("Succeeded", GoText.Bool(r.Succeeded));
        foreach (ResponseOp op in r.Responses)
        {
            switch (op.ResponseCase)
            {
                case ResponseOp.ResponseOneofCase.ResponseDeleteRange: Delete(op.ResponseDeleteRange); break;
                case ResponseOp.ResponseOneofCase.ResponsePut: Put(op.ResponsePut); break;
                case ResponseOp.ResponseOneofCase.ResponseRange: Get(op.ResponseRange); break;
                default: Out.WriteLine("\"Unknown\" : " + GoText.QuoteString(op.ToString())); break;
            }
        }
    }

    public override void Watch(WatchBatch r)
    {
        Header(r.Header);
        foreach (Event e in r.Events)
        {
            Line("Type", e.Type == Event.Types.EventType.Delete ? "DELETE" : "PUT");
            if (e.PrevKv is not null)
            {
                KeyValueLines("Prev", e.PrevKv);
            }

            KeyValueLines("", e.Kv ?? new KeyValue());
        }
    }

    public override void Grant(LeaseGrantResponse r)
    {
        Header(r.Header);
        Line("ID", GoText.Dec(r.ID));
        Line("TTL", GoText.Dec(r.TTL));
    }

    public override void Revoke(long id, LeaseRevokeResponse r) => Header(r.Header);

    public override void KeepAlive(LeaseKeepAliveResponse r)
    {
        Header(r.Header);
        Line("ID", GoText.Dec(r.ID));
        Line("TTL", GoText.Dec(r.TTL));
    }

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys)
    {
        Header(r.Header);
        Line("ID", GoText.Dec(r.ID));
        Line("TTL", GoText.Dec(r.TTL));
        Line("GrantedTTL", GoText.Dec(r.GrantedTTL));
        foreach (Google.Protobuf.ByteString key in r.Keys)
        {
            Line("Key", GoText.Quote(key.Span));
        }
    }

    public override void Leases(LeaseLeasesResponse r)
    {
        Header(r.Header);
        foreach (LeaseStatus lease in r.Leases)
        {
            Line("ID", GoText.Dec(lease.ID));
        }
    }

    public override void MemberList(MemberListResponse r)
    {
        Header(r.Header);
        foreach (Member m in r.Members)
        {
            Line("ID", GoText.Dec(m.ID));
            Line("Name", GoText.QuoteString(m.Name));
            foreach (string u in m.PeerURLs)
            {
                Line("PeerURL", GoText.QuoteString(u));
            }

            foreach (string u in m.ClientURLs)
            {
                Line("ClientURL", GoText.QuoteString(u));
            }

            Line("IsLearner", GoText.Bool(m.IsLearner));
            Out.WriteLine();
        }
    }

    public override void EndpointHealth(IReadOnlyList<EndpointHealthResult> r)
    {
        foreach (EndpointHealthResult h in r)
        {
            Line("Endpoint", GoText.QuoteString(h.Endpoint));
            Line("Health", GoText.Bool(h.Health));
            Line("Took", h.Took);
            Line("Error", h.Error);
            Out.WriteLine();
        }
    }

    public override void EndpointStatus(IReadOnlyList<EndpointStatusResult> r)
    {
        foreach (EndpointStatusResult e in r)
        {
            StatusResponse s = e.Status;
            Header(s.Header);
            Line("Version", GoText.QuoteString(s.Version));
            Line("DBSize", GoText.Dec(s.DbSize));
            Line("Leader", GoText.Dec(s.Leader));
            Line("IsLearner", GoText.Bool(s.IsLearner));
            Line("RaftIndex", GoText.Dec(s.RaftIndex));
            Line("RaftTerm", GoText.Dec(s.RaftTerm));
            Line("RaftAppliedIndex", GoText.Dec(s.RaftAppliedIndex));
            Line("Errors", "[" + string.Join(' ', s.Errors) + "]");
            Line("Endpoint", GoText.QuoteString(e.Endpoint));
            Out.WriteLine();
        }
    }

    public override void EndpointHashKV(IReadOnlyList<EndpointHashResult> r)
    {
        foreach (EndpointHashResult h in r)
        {
            Header(h.HashKV.Header);
            Line("Endpoint", GoText.QuoteString(h.Endpoint));
            Line("Hash", GoText.Dec(h.HashKV.Hash));
            Out.WriteLine();
        }
    }

    public override void Alarm(AlarmResponse r)
    {
        Header(r.Header);
        foreach (AlarmMember a in r.Alarms)
        {
            Line("MemberID", GoText.Dec(a.MemberID));
            Line("AlarmType", SimplePrinter.AlarmName(a.Alarm));
            Out.WriteLine();
        }
    }

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Header(r.Header);

    public override void RoleGet(string role, AuthRoleGetResponse r)
    {
        Header(r.Header);
        foreach (Permission p in r.Perm)
        {
            // Go's Println of a string ending in a space adds another one.
            Line("PermType", " " + PermissionName(p.PermType));
            Line("Key", GoText.Quote(p.Key.Span));
            Line("RangeEnd", GoText.Quote(p.RangeEnd.Span));
        }
    }

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Header(r.Header);

    public override void RoleList(AuthRoleListResponse r)
    {
        Header(r.Header);
        Out.Write("\"Roles\" :");
        foreach (string role in r.Roles)
        {
            Out.Write(" " + GoText.QuoteString(role));
        }

        Out.WriteLine();
    }

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Header(r.Header);

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r) => Header(r.Header);

    public override void UserAdd(string user, AuthUserAddResponse r) => Header(r.Header);

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Header(r.Header);

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r) => Header(r.Header);

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r) => Header(r.Header);

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Header(r.Header);

    internal static string PermissionName(Permission.Types.Type type) => type switch
    {
        Permission.Types.Type.Read => "READ",
        Permission.Types.Type.Write => "WRITE",
        Permission.Types.Type.Readwrite => "READWRITE",
        _ => GoText.Dec((long)type),
    };

    private void Header(ResponseHeader? h)
    {
        Line("ClusterID", GoText.Dec(h?.ClusterId ?? 0));
        Line("MemberID", GoText.Dec(h?.MemberId ?? 0));
        Line("Revision", GoText.Dec(h?.Revision ?? 0));
        Line("RaftTerm", GoText.Dec(h?.RaftTerm ?? 0));
    }

    private void KeyValueLines(string prefix, KeyValue kv)
    {
        Line(prefix + "Key", GoText.Quote(kv.Key.Span));
        Line(prefix + "CreateRevision", GoText.Dec(kv.CreateRevision));
        Line(prefix + "ModRevision", GoText.Dec(kv.ModRevision));
        Line(prefix + "Version", GoText.Dec(kv.Version));
        Line(prefix + "Value", GoText.Quote(kv.Value.Span));
        Line(prefix + "Lease", GoText.Dec(kv.Lease));
    }

    private void Line(string name, string value) => Out.WriteLine("\"" + name + "\" : " + value);
}
