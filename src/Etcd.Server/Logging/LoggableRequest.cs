using System.Globalization;
using System.Text;
using Etcd.Api.Etcdserverpb;
using Google.Protobuf;

namespace Etcd.Server.Logging;

/// <summary>
/// A request as etcd writes it into a slow-request warning: Go protobuf's compact text
/// (<c>key:"foo" limit:1 </c>, nested messages in <c>&lt;...&gt;</c>), with every value replaced by
/// its size (<c>value_size:3</c>) so that no stored value reaches the log.
/// </summary>
/// <remarks>
/// Covers the requests clients send (range, put, delete, txn, compaction, leases); other internal
/// requests are written as their header and kind only.
/// </remarks>
public static class LoggableRequest
{
    public static string Of(InternalRaftRequest request)
    {
        var text = new StringBuilder();
        text.Append("header:<");
        if (request.Header is { } header)
        {
            if (header.ID != 0) Number(text, "ID", header.ID);
            if (header.Username.Length > 0) Quoted(text, "username", Encoding.UTF8.GetBytes(header.Username));
            if (header.AuthRevision != 0) Number(text, "auth_revision", header.AuthRevision);
        }
        text.Append("> ");
        switch (request)
        {
            case { Put: { } put }:
                text.Append("put:<");
                Put(text, put);
                text.Append('>');
                break;
            case { Txn: { } txn }:
                text.Append("txn:<");
                Txn(text, txn);
                text.Append('>');
                break;
            case { DeleteRange: { } delete }:
                text.Append("delete_range:<");
                Delete(text, delete);
                text.Append('>');
                break;
            case { Range: { } range }:
                text.Append("range:<");
                Range(text, range);
                text.Append('>');
                break;
            case { Compaction: { } compaction }:
                text.Append("compaction:<");
                if (compaction.Revision != 0) Number(text, "revision", compaction.Revision);
                if (compaction.Physical) text.Append("physical:true ");
                text.Append('>');
                break;
            case { LeaseGrant: { } grant }:
                // etcd's own forms for leases: the TTL in seconds and the id in hex.
                text.Append(CultureInfo.InvariantCulture, $"lease_grant:<ttl:{grant.TTL}-second id:{grant.ID:x16}>");
                break;
            case { LeaseRevoke: { } revoke }:
                text.Append(CultureInfo.InvariantCulture, $"lease_revoke:<id:{revoke.ID:x16}>");
                break;
            default:
                text.Append(Kind(request)).Append(":<>");
                break;
        }
        return text.ToString();
    }

    /// <summary>A range served without Raft (etcd's "read-only range " warning).</summary>
    public static string Of(RangeRequest request)
    {
        var text = new StringBuilder();
        Range(text, request);
        return text.ToString();
    }

    private static void Range(StringBuilder text, RangeRequest r)
    {
        Bytes(text, "key", r.Key);
        Bytes(text, "range_end", r.RangeEnd);
        if (r.Limit != 0) Number(text, "limit", r.Limit);
        if (r.Revision != 0) Number(text, "revision", r.Revision);
        if (r.SortOrder != RangeRequest.Types.SortOrder.None) text.Append("sort_order:").Append(EnumName(r.SortOrder.ToString())).Append(' ');
        if (r.SortTarget != RangeRequest.Types.SortTarget.Key) text.Append("sort_target:").Append(EnumName(r.SortTarget.ToString())).Append(' ');
        if (r.Serializable) text.Append("serializable:true ");
        if (r.KeysOnly) text.Append("keys_only:true ");
        if (r.CountOnly) text.Append("count_only:true ");
        if (r.MinModRevision != 0) Number(text, "min_mod_revision", r.MinModRevision);
        if (r.MaxModRevision != 0) Number(text, "max_mod_revision", r.MaxModRevision);
        if (r.MinCreateRevision != 0) Number(text, "min_create_revision", r.MinCreateRevision);
        if (r.MaxCreateRevision != 0) Number(text, "max_create_revision", r.MaxCreateRevision);
    }

    private static void Put(StringBuilder text, PutRequest p)
    {
        Bytes(text, "key", p.Key);
        if (p.Value.Length != 0) Number(text, "value_size", p.Value.Length);
        if (p.Lease != 0) Number(text, "lease", p.Lease);
        if (p.PrevKv) text.Append("prev_kv:true ");
        if (p.IgnoreValue) text.Append("ignore_value:true ");
        if (p.IgnoreLease) text.Append("ignore_lease:true ");
    }

    private static void Delete(StringBuilder text, DeleteRangeRequest d)
    {
        Bytes(text, "key", d.Key);
        Bytes(text, "range_end", d.RangeEnd);
        if (d.PrevKv) text.Append("prev_kv:true ");
    }

    // etcd's txn form: the three lists each inside one compare:<...> success:<...> failure:<...>.
    private static void Txn(StringBuilder text, TxnRequest t)
    {
        text.Append("compare:<");
        for (var i = 0; i < t.Compare.Count; i++)
        {
            if (i > 0) text.Append(' ');
            Compare(text, t.Compare[i]);
        }
        text.Append("> success:<");
        Ops(text, t.Success);
        text.Append("> failure:<");
        Ops(text, t.Failure);
        text.Append('>');
    }

    private static void Compare(StringBuilder text, Compare c)
    {
        if (c.Result != global::Etcd.Api.Etcdserverpb.Compare.Types.CompareResult.Equal) text.Append("result:").Append(EnumName(c.Result.ToString())).Append(' ');
        if (c.Target != global::Etcd.Api.Etcdserverpb.Compare.Types.CompareTarget.Version) text.Append("target:").Append(EnumName(c.Target.ToString())).Append(' ');
        Bytes(text, "key", c.Key);
        switch (c.TargetUnionCase)
        {
            case global::Etcd.Api.Etcdserverpb.Compare.TargetUnionOneofCase.Version: Number(text, "version", c.Version); break;
            case global::Etcd.Api.Etcdserverpb.Compare.TargetUnionOneofCase.CreateRevision: Number(text, "create_revision", c.CreateRevision); break;
            case global::Etcd.Api.Etcdserverpb.Compare.TargetUnionOneofCase.ModRevision: Number(text, "mod_revision", c.ModRevision); break;
            case global::Etcd.Api.Etcdserverpb.Compare.TargetUnionOneofCase.Value: if (c.Value.Length != 0) Number(text, "value_size", c.Value.Length); break;
            case global::Etcd.Api.Etcdserverpb.Compare.TargetUnionOneofCase.Lease: Number(text, "lease", c.Lease); break;
        }
        Bytes(text, "range_end", c.RangeEnd);
    }

    private static void Ops(StringBuilder text, Google.Protobuf.Collections.RepeatedField<RequestOp> ops)
    {
        for (var i = 0; i < ops.Count; i++)
        {
            if (i > 0) text.Append(' ');
            switch (ops[i])
            {
                case { RequestPut: { } put }:
                    text.Append("request_put:<");
                    Put(text, put);
                    text.Append('>');
                    break;
                case { RequestTxn: { } txn }:
                    text.Append("request_txn:<");
                    Txn(text, txn);
                    text.Append('>');
                    break;
                case { RequestRange: { } range }:
                    text.Append("request_range:<");
                    Range(text, range);
                    text.Append("> ");
                    break;
                case { RequestDeleteRange: { } delete }:
                    text.Append("request_delete_range:<");
                    Delete(text, delete);
                    text.Append("> ");
                    break;
            }
        }
    }

    private static string Kind(InternalRaftRequest request) => request.RequestCase() ?? "request";

    private static string? RequestCase(this InternalRaftRequest r) => r switch
    {
        { Alarm: not null } => "alarm",
        { LeaseCheckpoint: not null } => "lease_checkpoint",
        { Authenticate: not null } => "authenticate",
        { AuthEnable: not null } => "auth_enable",
        { AuthDisable: not null } => "auth_disable",
        { ClusterVersionSet: not null } => "cluster_version_set",
        { ClusterMemberAttrSet: not null } => "cluster_member_attr_set",
        { V2: not null } => "v2",
        _ => null,
    };

    private static void Number(StringBuilder text, string name, long value) =>
        text.Append(name).Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append(' ');

    private static void Number(StringBuilder text, string name, ulong value) =>
        text.Append(name).Append(':').Append(value.ToString(CultureInfo.InvariantCulture)).Append(' ');

    private static void Bytes(StringBuilder text, string name, ByteString value)
    {
        if (value.Length != 0) Quoted(text, name, value.Span);
    }

    // Go's text format quoting: C escapes for quotes, backslash and the common controls,
    // printable ASCII as is, every other byte as a three-digit octal escape.
    private static void Quoted(StringBuilder text, string name, ReadOnlySpan<byte> value)
    {
        text.Append(name).Append(":\"");
        foreach (var b in value)
        {
            switch (b)
            {
                case (byte)'\n': text.Append("\\n"); break;
                case (byte)'\r': text.Append("\\r"); break;
                case (byte)'\t': text.Append("\\t"); break;
                case (byte)'"': text.Append("\\\""); break;
                case (byte)'\\': text.Append("\\\\"); break;
                case >= 0x20 and < 0x7f: text.Append((char)b); break;
                default: text.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0')); break;
            }
        }
        text.Append("\" ");
    }

    // C#'s PascalCase enum names back to the proto's (NotEqual is NOT_EQUAL).
    private static string EnumName(string name) => name == "NotEqual" ? "NOT_EQUAL" : name.ToUpperInvariant();
}
