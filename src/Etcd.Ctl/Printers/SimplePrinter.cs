using System.Globalization;
using System.Text;
using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Client;
using Etcd.Ctl.Output;
using Google.Protobuf;

namespace Etcd.Ctl.Printers;

/// <summary>The default human-readable format (-w simple): keys and values as raw lines.</summary>
public sealed class SimplePrinter(ConsoleOutput output, ConsoleOutput error, bool hex) : Printer("simple", output)
{
    /// <summary>Print only values, not keys (get --print-value-only).</summary>
    public bool ValueOnly { get; set; }

    public override void Delete(DeleteRangeResponse r)
    {
        Out.WriteLine(GoText.Dec(r.Deleted));
        foreach (KeyValue kv in r.PrevKvs)
        {
            PrintKeyValue(kv);
        }
    }

    public override void Get(RangeResponse r)
    {
        foreach (KeyValue kv in r.Kvs)
        {
            PrintKeyValue(kv);
        }
    }

    public override void Put(PutResponse r)
    {
        Out.WriteLine("OK");
        if (r.PrevKv is not null)
        {
            PrintKeyValue(r.PrevKv);
        }
    }

    public override void Txn(TxnResponse r)
    {
        Out.WriteLine(r.Succeeded ? "SUCCESS" : "FAILURE");
        foreach (ResponseOp op in r.Responses)
        {
            Out.WriteLine();
            switch (op.ResponseCase)
            {
                case ResponseOp.ResponseOneofCase.ResponseDeleteRange: Delete(op.ResponseDeleteRange); break;
                case ResponseOp.ResponseOneofCase.ResponsePut: Put(op.ResponsePut); break;
                case ResponseOp.ResponseOneofCase.ResponseRange: Get(op.ResponseRange); break;
                default: Out.WriteLine("unexpected response " + op); break;
            }
        }
    }

    public override void Watch(WatchBatch r)
    {
        foreach (Event e in r.Events)
        {
            Out.WriteLine(e.Type == Event.Types.EventType.Put ? "PUT" : e.Type == Event.Types.EventType.Delete ? "DELETE" : GoText.Dec((long)e.Type));
            if (e.PrevKv is not null)
            {
                PrintKeyValue(e.PrevKv);
            }

            PrintKeyValue(e.Kv ?? new KeyValue());
        }
    }

    public override void Grant(LeaseGrantResponse r)
        => Out.WriteLine("lease " + GoText.Hex16Zero(r.ID) + " granted with TTL(" + GoText.Dec(r.TTL) + "s)");

    public override void Revoke(long id, LeaseRevokeResponse r)
        => Out.WriteLine("lease " + GoText.Hex16Zero(id) + " revoked");

    public override void KeepAlive(LeaseKeepAliveResponse r)
        => Out.WriteLine("lease " + GoText.Hex16Zero(r.ID) + " keepalived with TTL(" + GoText.Dec(r.TTL) + ")");

    public override void TimeToLive(LeaseTimeToLiveResponse r, bool keys)
    {
        if (r.GrantedTTL == 0 && r.TTL == -1)
        {
            Out.WriteLine("lease " + GoText.Hex16Zero(r.ID) + " already expired");
            return;
        }

        var text = new StringBuilder();
        text.Append("lease ").Append(GoText.Hex16Zero(r.ID)).Append(" granted with TTL(").Append(GoText.Dec(r.GrantedTTL))
            .Append("s), remaining(").Append(GoText.Dec(r.TTL)).Append("s)");
        Out.Write(text.ToString());
        if (keys)
        {
            // Go prints the []string with %v: "[a b]"; the keys are raw bytes.
            Out.Write(", attached keys([");
            for (int i = 0; i < r.Keys.Count; i++)
            {
                if (i > 0)
                {
                    Out.Write(" ");
                }

                Out.Write(r.Keys[i].Span);
            }

            Out.Write("])");
        }

        Out.WriteLine();
    }

    public override void Leases(LeaseLeasesResponse r)
    {
        Out.WriteLine("found " + GoText.Dec(r.Leases.Count) + " leases");
        foreach (LeaseStatus lease in r.Leases)
        {
            Out.WriteLine(GoText.Hex16Zero(lease.ID));
        }
    }

    public override void Alarm(AlarmResponse r)
    {
        foreach (AlarmMember a in r.Alarms)
        {
            // Go's %+v of the struct.
            Out.WriteLine("memberID:" + GoText.Dec(a.MemberID) + " alarm:" + AlarmName(a.Alarm) + " ");
        }
    }

    public override void MemberAdd(MemberAddResponse r)
        => Out.WriteLine("Member " + GoText.Hex16Space(r.Member?.ID ?? 0) + " added to cluster " + GoText.Hex16Space(r.Header?.ClusterId ?? 0));

    public override void MemberRemove(ulong id, MemberRemoveResponse r)
        => Out.WriteLine("Member " + GoText.Hex16Space(id) + " removed from cluster " + GoText.Hex16Space(r.Header?.ClusterId ?? 0));

    public override void MemberUpdate(ulong id, MemberUpdateResponse r)
        => Out.WriteLine("Member " + GoText.Hex16Space(id) + " updated in cluster " + GoText.Hex16Space(r.Header?.ClusterId ?? 0));

    public override void MemberPromote(ulong id, MemberPromoteResponse r)
        => Out.WriteLine("Member " + GoText.Hex16Space(id) + " promoted in cluster " + GoText.Hex16Space(r.Header?.ClusterId ?? 0));

    public override void MemberList(MemberListResponse r)
    {
        foreach (string[] row in Tables.MemberRows(r))
        {
            Out.WriteLine(string.Join(", ", row));
        }
    }

    public override void EndpointHealth(IReadOnlyList<EndpointHealthResult> r)
    {
        // etcdctl reports health on stderr in the simple format.
        Out.Flush();
        foreach (EndpointHealthResult h in r)
        {
            error.WriteLine(h.Error.Length == 0
                ? h.Endpoint + " is healthy: successfully committed proposal: took = " + h.Took
                : h.Endpoint + " is unhealthy: failed to commit proposal: " + h.Error);
        }
    }

    public override void EndpointStatus(IReadOnlyList<EndpointStatusResult> r)
    {
        foreach (string[] row in Tables.StatusRows(r))
        {
            Out.WriteLine(string.Join(", ", row));
        }
    }

    public override void EndpointHashKV(IReadOnlyList<EndpointHashResult> r)
    {
        foreach (string[] row in Tables.HashRows(r))
        {
            Out.WriteLine(string.Join(", ", row));
        }
    }

    public override void MoveLeader(ulong leader, ulong target, MoveLeaderResponse r)
        => Out.WriteLine("Leadership transferred from " + GoText.Hex(leader) + " to " + GoText.Hex(target));

    public override void RoleAdd(string role, AuthRoleAddResponse r) => Out.WriteLine("Role " + role + " created");

    public override void RoleGet(string role, AuthRoleGetResponse r)
    {
        Out.WriteLine("Role " + role);
        Out.WriteLine("KV Read:");
        foreach (Permission p in r.Perm)
        {
            if (p.PermType is Permission.Types.Type.Read or Permission.Types.Type.Readwrite)
            {
                PrintPermission(p);
            }
        }

        Out.WriteLine("KV Write:");
        foreach (Permission p in r.Perm)
        {
            if (p.PermType is Permission.Types.Type.Write or Permission.Types.Type.Readwrite)
            {
                PrintPermission(p);
            }
        }
    }

    public override void RoleList(AuthRoleListResponse r)
    {
        foreach (string role in r.Roles)
        {
            Out.WriteLine(role);
        }
    }

    public override void RoleDelete(string role, AuthRoleDeleteResponse r) => Out.WriteLine("Role " + role + " deleted");

    public override void RoleGrantPermission(string role, AuthRoleGrantPermissionResponse r) => Out.WriteLine("Role " + role + " updated");

    public override void RoleRevokePermission(string role, string key, string end, AuthRoleRevokePermissionResponse r)
    {
        if (end.Length == 0)
        {
            Out.WriteLine("Permission of key " + key + " is revoked from role " + role);
        }
        else if (end != "\0")
        {
            Out.WriteLine("Permission of range [" + key + ", " + end + ") is revoked from role " + role);
        }
        else
        {
            Out.WriteLine("Permission of range [" + key + ", <open ended> is revoked from role " + role);
        }
    }

    public override void UserAdd(string user, AuthUserAddResponse r) => Out.WriteLine("User " + user + " created");

    public override void UserGet(string user, AuthUserGetResponse r)
    {
        Out.WriteLine("User: " + user);
        Out.Write("Roles:");
        foreach (string role in r.Roles)
        {
            Out.Write(" " + role);
        }

        Out.WriteLine();
    }

    public override void UserChangePassword(AuthUserChangePasswordResponse r) => Out.WriteLine("Password updated");

    public override void UserGrantRole(string user, string role, AuthUserGrantRoleResponse r)
        => Out.WriteLine("Role " + role + " is granted to user " + user);

    public override void UserRevokeRole(string user, string role, AuthUserRevokeRoleResponse r)
        => Out.WriteLine("Role " + role + " is revoked from user " + user);

    public override void UserDelete(string user, AuthUserDeleteResponse r) => Out.WriteLine("User " + user + " deleted");

    public override void UserList(AuthUserListResponse r)
    {
        foreach (string user in r.Users)
        {
            Out.WriteLine(user);
        }
    }

    internal static string AlarmName(AlarmType alarm) => alarm switch
    {
        AlarmType.None => "NONE",
        AlarmType.Nospace => "NOSPACE",
        AlarmType.Corrupt => "CORRUPT",
        _ => ((int)alarm).ToString(CultureInfo.InvariantCulture),
    };

    private void PrintPermission(Permission p)
    {
        if (p.RangeEnd.IsEmpty)
        {
            Out.Write("\t");
            Out.WriteLine(p.Key.Span);
            return;
        }

        Out.Write("\t[");
        Out.Write(p.Key.Span);
        bool openEnded = p.RangeEnd.Length == 1 && p.RangeEnd[0] == 0;
        if (!openEnded)
        {
            Out.Write(", ");
            Out.Write(p.RangeEnd.Span);
            Out.Write(")");
        }
        else
        {
            Out.Write(", <open ended>");
        }

        if (KeyRange.PrefixEnd(p.Key).Equals(p.RangeEnd))
        {
            Out.Write(" (prefix ");
            Out.Write(p.Key.Span);
            Out.Write(")");
        }

        Out.WriteLine();
    }

    private void PrintKeyValue(KeyValue kv)
    {
        if (!ValueOnly)
        {
            WriteBytesLine(kv.Key);
        }

        WriteBytesLine(kv.Value);
    }

    private void WriteBytesLine(ByteString bytes)
    {
        if (!hex)
        {
            Out.WriteLine(bytes.Span);
            return;
        }

        // --hex prints every byte as \xNN.
        var sb = new StringBuilder(bytes.Length * 4);
        foreach (byte b in bytes.Span)
        {
            sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        Out.WriteLine(sb.ToString());
    }
}
