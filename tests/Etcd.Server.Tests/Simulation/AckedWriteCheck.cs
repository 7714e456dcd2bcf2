using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Mvcc;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Checks that an acknowledged write is in a member's store as the client was told: at the
/// revision of the answer its puts are there with that revision, its deletes have removed what
/// they said they removed, and a txn took the branch its comparison chose in the state before it,
/// with its reads returning what the store holds at that revision.
/// </summary>
internal static class AckedWriteCheck
{
    public static void Verify(AckedWrite write, SimMember member)
    {
        var kv = member.Kv;
        // What a compaction removed can no longer be read back: such writes were checked by the
        // reads and watches that saw them.
        if (Revision(write.Response) is long at && at - 1 < kv.CompactRevision) return;
        switch (write.Request)
        {
            case { Put: { } put }:
                VerifyPut(kv, put, ((PutResponse)write.Response).Header.Revision, write, member);
                break;
            case { DeleteRange: { } delete }:
                var deleted = (DeleteRangeResponse)write.Response;
                VerifyDelete(kv, delete, deleted.Header.Revision, deleted.Deleted, write, member);
                break;
            case { Txn: { } txn }:
                VerifyTxn(kv, txn, (TxnResponse)write.Response, write, member);
                break;
            case { ClusterMemberAttrSet: not null }:
                // A later publication may replace it; the member lists are compared whole instead.
                break;
            case { Compaction: { } compaction }:
                if (kv.CompactRevision < compaction.Revision)
                    Fail(write, member, $"the store is compacted at {kv.CompactRevision} only");
                break;
            case { Alarm: not null }:
                // Alarms and auth are part of the backend, compared whole across members.
                break;
            case var admin when SimAuth.IsAdmin(admin):
                break;
            case { LeaseGrant: not null } or { LeaseRevoke: not null }:
                // Every lease ends once the cluster is healed; keys of a revoked lease are checked by the watches.
                break;
            default:
                throw new ClusterSimFailure($"unexpected acknowledged request {write}");
        }
    }

    private static void VerifyPut(KvStore kv, PutRequest put, long revision, AckedWrite write, SimMember member)
    {
        var kvs = Read(kv, put.Key, ByteString.Empty, revision).Kvs;
        if (kvs.Count != 1 || kvs[0].Value != put.Value || kvs[0].ModRevision != revision)
            Fail(write, member, $"at revision {revision} {put.Key.ToStringUtf8()} is [{string.Join(", ", kvs)}], expected the put's value with that mod revision");
    }

    private static void VerifyDelete(KvStore kv, DeleteRangeRequest delete, long revision, long deleted, AckedWrite write, SimMember member)
    {
        var left = Read(kv, delete.Key, delete.RangeEnd, revision);
        if (left.Count != 0)
            Fail(write, member, $"at revision {revision} the deleted range still holds [{string.Join(", ", left.Kvs)}]");
        if (deleted == 0) return;
        var before = Read(kv, delete.Key, delete.RangeEnd, revision - 1);
        if (before.Count != deleted)
            Fail(write, member, $"the delete at revision {revision} removed {deleted} keys, but the range held {before.Count} before it");
    }

    private static void VerifyTxn(KvStore kv, TxnRequest txn, TxnResponse response, AckedWrite write, SimMember member)
    {
        var revision = response.Header.Revision;
        var ops = response.Succeeded ? txn.Success : txn.Failure;
        if (ops.Count != response.Responses.Count) Fail(write, member, $"the txn answered {response.Responses.Count} operations for a branch of {ops.Count}");
        var wrote = false;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var answer = response.Responses[i];
            if (op.RequestPut is { } put)
            {
                wrote = true;
                VerifyPut(kv, put, revision, write, member);
            }
            else if (op.RequestDeleteRange is { } delete)
            {
                wrote |= answer.ResponseDeleteRange.Deleted > 0;
                VerifyDelete(kv, delete, revision, answer.ResponseDeleteRange.Deleted, write, member);
            }
            else if (op.RequestRange is { } range)
            {
                var now = Read(kv, range.Key, range.RangeEnd, revision);
                if (!now.Kvs.SequenceEqual(answer.ResponseRange.Kvs))
                    Fail(write, member, $"a read in the txn returned [{string.Join(", ", answer.ResponseRange.Kvs)}], the store holds [{string.Join(", ", now.Kvs)}] at revision {revision}");
            }
        }
        // The comparison saw the state before the txn: one revision earlier if the txn wrote.
        var compare = txn.Compare[0];
        var before = Read(kv, compare.Key, compare.RangeEnd, wrote ? revision - 1 : revision).Kvs;
        if (Holds(compare, before) != response.Succeeded)
            Fail(write, member, $"the txn's comparison {compare} against [{string.Join(", ", before)}] does not give succeeded={response.Succeeded}");
    }

    /// <summary>etcd's comparison of one key: a missing key has every number 0, and no value to equal anything.</summary>
    private static bool Holds(Compare compare, IReadOnlyList<KeyValue> kvs)
    {
        if (kvs.Count == 0 && compare.Target == Compare.Types.CompareTarget.Value) return false;
        var record = kvs.Count == 0 ? new KeyValue() : kvs[0];
        var order = compare.Target switch
        {
            Compare.Types.CompareTarget.Value => Math.Sign(record.Value.Span.SequenceCompareTo(compare.Value.Span)),
            Compare.Types.CompareTarget.Create => record.CreateRevision.CompareTo(compare.CreateRevision),
            Compare.Types.CompareTarget.Mod => record.ModRevision.CompareTo(compare.ModRevision),
            _ => record.Version.CompareTo(compare.Version),
        };
        return compare.Result switch
        {
            Compare.Types.CompareResult.Equal => order == 0,
            Compare.Types.CompareResult.NotEqual => order != 0,
            Compare.Types.CompareResult.Greater => order > 0,
            _ => order < 0,
        };
    }

    private static long? Revision(IMessage response) => response switch
    {
        PutResponse put => put.Header.Revision,
        DeleteRangeResponse delete => delete.Header.Revision,
        TxnResponse txn => txn.Header.Revision,
        _ => null,
    };

    private static RangeResponse Read(KvStore kv, ByteString key, ByteString end, long revision) =>
        kv.Range(new RangeRequest { Key = key, RangeEnd = end, Revision = revision });

    private static void Fail(AckedWrite write, SimMember member, string what) =>
        throw new ClusterSimFailure($"member {member.Id}: {what}; {write}");
}
