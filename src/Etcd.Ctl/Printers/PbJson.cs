using Etcd.Api.Authpb;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Ctl.Output;
using Google.Protobuf.Collections;

namespace Etcd.Ctl.Printers;

/// <summary>
/// etcd's messages as Go's encoding/json renders the gogoproto structs etcdctl prints: proto field
/// names, declaration order, every field "omitempty", enums as numbers.
/// </summary>
public static class PbJson
{
    public static void Header(GoJsonWriter w, string name, ResponseHeader? h)
    {
        if (h is null)
        {
            return;
        }

        w.BeginObject(name);
        HeaderFields(w, h);
        w.EndObject();
    }

    /// <summary>The header's fields inline, as Go prints a struct that embeds *pb.ResponseHeader.</summary>
    public static void HeaderFields(GoJsonWriter w, ResponseHeader? h)
    {
        if (h is null)
        {
            return;
        }

        w.UInt("cluster_id", h.ClusterId, true).UInt("member_id", h.MemberId, true)
            .Int("revision", h.Revision, true).UInt("raft_term", h.RaftTerm, true);
    }

    public static void KeyValue(GoJsonWriter w, string? name, KeyValue? kv)
    {
        if (kv is null)
        {
            return;
        }

        w.BeginObject(name)
            .Bytes("key", kv.Key.Span, true).Int("create_revision", kv.CreateRevision, true)
            .Int("mod_revision", kv.ModRevision, true).Int("version", kv.Version, true)
            .Bytes("value", kv.Value.Span, true).Int("lease", kv.Lease, true)
            .EndObject();
    }

    public static void KeyValues(GoJsonWriter w, string name, RepeatedField<KeyValue> kvs)
    {
        if (kvs.Count == 0)
        {
            return;
        }

        w.BeginArray(name);
        foreach (KeyValue kv in kvs)
        {
            KeyValue(w, null, kv);
        }

        w.EndArray();
    }

    public static void Event(GoJsonWriter w, Event e)
    {
        w.BeginObject().Int("type", (int)e.Type, true);
        KeyValue(w, "kv", e.Kv);
        KeyValue(w, "prev_kv", e.PrevKv);
        w.EndObject();
    }

    public static void Range(GoJsonWriter w, string? name, RangeResponse r)
    {
        w.BeginObject(name);
        Header(w, "header", r.Header);
        KeyValues(w, "kvs", r.Kvs);
        w.Bool("more", r.More, true).Int("count", r.Count, true).EndObject();
    }

    public static void Put(GoJsonWriter w, string? name, PutResponse r)
    {
        w.BeginObject(name);
        Header(w, "header", r.Header);
        KeyValue(w, "prev_kv", r.PrevKv);
        w.EndObject();
    }

    public static void Delete(GoJsonWriter w, string? name, DeleteRangeResponse r)
    {
        w.BeginObject(name);
        Header(w, "header", r.Header);
        w.Int("deleted", r.Deleted, true);
        KeyValues(w, "prev_kvs", r.PrevKvs);
        w.EndObject();
    }

    public static void Txn(GoJsonWriter w, string? name, TxnResponse r)
    {
        w.BeginObject(name);
        Header(w, "header", r.Header);
        w.Bool("succeeded", r.Succeeded, true);
        if (r.Responses.Count > 0)
        {
            w.BeginArray("responses");
            foreach (ResponseOp op in r.Responses)
            {
                // A oneof is an interface field in Go: named after the Go field, never omitted,
                // and wrapped in a struct named after the chosen member.
                w.BeginObject();
                switch (op.ResponseCase)
                {
                    case ResponseOp.ResponseOneofCase.ResponseRange:
                        w.BeginObject("Response");
                        Range(w, "ResponseRange", op.ResponseRange);
                        w.EndObject();
                        break;
                    case ResponseOp.ResponseOneofCase.ResponsePut:
                        w.BeginObject("Response");
                        Put(w, "ResponsePut", op.ResponsePut);
                        w.EndObject();
                        break;
                    case ResponseOp.ResponseOneofCase.ResponseDeleteRange:
                        w.BeginObject("Response");
                        Delete(w, "ResponseDeleteRange", op.ResponseDeleteRange);
                        w.EndObject();
                        break;
                    case ResponseOp.ResponseOneofCase.ResponseTxn:
                        w.BeginObject("Response");
                        Txn(w, "ResponseTxn", op.ResponseTxn);
                        w.EndObject();
                        break;
                    default:
                        w.Null("Response");
                        break;
                }

                w.EndObject();
            }

            w.EndArray();
        }

        w.EndObject();
    }

    public static void Member(GoJsonWriter w, string? name, Member m)
    {
        w.BeginObject(name).UInt("ID", m.ID, true).String("name", m.Name, true);
        Strings(w, "peerURLs", m.PeerURLs);
        Strings(w, "clientURLs", m.ClientURLs);
        w.Bool("isLearner", m.IsLearner, true).EndObject();
    }

    public static void Members(GoJsonWriter w, string name, RepeatedField<Member> members)
    {
        if (members.Count == 0)
        {
            return;
        }

        w.BeginArray(name);
        foreach (Member m in members)
        {
            Member(w, null, m);
        }

        w.EndArray();
    }

    public static void Strings(GoJsonWriter w, string name, RepeatedField<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        w.BeginArray(name);
        foreach (string v in values)
        {
            w.String(null, v);
        }

        w.EndArray();
    }

    public static void Status(GoJsonWriter w, string? name, StatusResponse s)
    {
        w.BeginObject(name);
        Header(w, "header", s.Header);
        w.String("version", s.Version, true).Int("dbSize", s.DbSize, true).UInt("leader", s.Leader, true)
            .UInt("raftIndex", s.RaftIndex, true).UInt("raftTerm", s.RaftTerm, true)
            .UInt("raftAppliedIndex", s.RaftAppliedIndex, true);
        Strings(w, "errors", s.Errors);
        w.Int("dbSizeInUse", s.DbSizeInUse, true).Bool("isLearner", s.IsLearner, true).EndObject();
    }

    public static void HashKV(GoJsonWriter w, string? name, HashKVResponse h)
    {
        w.BeginObject(name);
        Header(w, "header", h.Header);
        w.UInt("hash", h.Hash, true).Int("compact_revision", h.CompactRevision, true).EndObject();
    }

    public static void Alarm(GoJsonWriter w, AlarmResponse r)
    {
        w.BeginObject();
        Header(w, "header", r.Header);
        if (r.Alarms.Count > 0)
        {
            w.BeginArray("alarms");
            foreach (AlarmMember a in r.Alarms)
            {
                w.BeginObject().UInt("memberID", a.MemberID, true).Int("alarm", (int)a.Alarm, true).EndObject();
            }

            w.EndArray();
        }

        w.EndObject();
    }

    public static void Permissions(GoJsonWriter w, string name, RepeatedField<Permission> perms)
    {
        if (perms.Count == 0)
        {
            return;
        }

        w.BeginArray(name);
        foreach (Permission p in perms)
        {
            w.BeginObject().Int("permType", (int)p.PermType, true)
                .Bytes("key", p.Key.Span, true).Bytes("range_end", p.RangeEnd.Span, true).EndObject();
        }

        w.EndArray();
    }

    /// <summary>A message that has only a header (most auth and maintenance responses).</summary>
    public static void HeaderOnly(GoJsonWriter w, ResponseHeader? header)
    {
        w.BeginObject();
        Header(w, "header", header);
        w.EndObject();
    }
}
