using Etcd.Api.Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Api;

/// <summary>
/// etcd's checks of a request before it is proposed: a request that fails one changes nothing.
/// </summary>
public static class RequestValidation
{
    public static void CheckRange(RangeRequest r)
    {
        if (r.Key.IsEmpty) throw EtcdErrors.EmptyKey;
    }

    public static void CheckPut(PutRequest r)
    {
        if (r.Key.IsEmpty) throw EtcdErrors.EmptyKey;
        if (r.IgnoreValue && !r.Value.IsEmpty) throw EtcdErrors.ValueProvided;
        if (r.IgnoreLease && r.Lease != 0) throw EtcdErrors.LeaseProvided;
    }

    public static void CheckDelete(DeleteRangeRequest r)
    {
        if (r.Key.IsEmpty) throw EtcdErrors.EmptyKey;
    }

    /// <summary>Size and shape checks, then etcd's rule that no key is written twice in one txn.</summary>
    public static void CheckTxn(TxnRequest r, int maxTxnOps)
    {
        CheckTxnShape(r, maxTxnOps);
        // Overlaps are checked after the shape so that a huge request fails fast, as etcd does.
        CheckWriteOverlaps(r.Success, out _);
        CheckWriteOverlaps(r.Failure, out _);
    }

    private static void CheckTxnShape(TxnRequest r, int maxTxnOps)
    {
        var ops = Math.Max(r.Compare.Count, Math.Max(r.Success.Count, r.Failure.Count));
        if (ops > maxTxnOps) throw EtcdErrors.TooManyOps;
        foreach (var compare in r.Compare)
        {
            if (compare.Key.IsEmpty) throw EtcdErrors.EmptyKey;
        }
        foreach (var op in r.Success) CheckOp(op, maxTxnOps - ops);
        foreach (var op in r.Failure) CheckOp(op, maxTxnOps - ops);
    }

    private static void CheckOp(RequestOp op, int maxTxnOps)
    {
        switch (op.RequestCase)
        {
            case RequestOp.RequestOneofCase.RequestRange: CheckRange(op.RequestRange); break;
            case RequestOp.RequestOneofCase.RequestPut: CheckPut(op.RequestPut); break;
            case RequestOp.RequestOneofCase.RequestDeleteRange: CheckDelete(op.RequestDeleteRange); break;
            case RequestOp.RequestOneofCase.RequestTxn: CheckTxnShape(op.RequestTxn, maxTxnOps); break;
            default: throw EtcdErrors.KeyNotFound;
        }
    }

    /// <summary>
    /// A key may be put once per branch, and not put where the same branch deletes it. Nested
    /// txns count their puts; a put in both branches of a nested txn is fine (only one runs).
    /// </summary>
    private static void CheckWriteOverlaps(IList<RequestOp> ops, out DeletedRanges deletes, HashSet<ByteString>? puts = null)
    {
        puts ??= [];
        deletes = new DeletedRanges();
        foreach (var op in ops)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestDeleteRange)
                deletes.Add(op.RequestDeleteRange.Key, op.RequestDeleteRange.RangeEnd);
        }
        foreach (var op in ops)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestTxn) continue;
            var thenPuts = new HashSet<ByteString>();
            var elsePuts = new HashSet<ByteString>();
            CheckWriteOverlaps(op.RequestTxn.Success, out var thenDeletes, thenPuts);
            CheckWriteOverlaps(op.RequestTxn.Failure, out var elseDeletes, elsePuts);
            foreach (var key in thenPuts)
            {
                if (puts.Contains(key) || deletes.Contains(key)) throw EtcdErrors.DuplicateKey;
                puts.Add(key);
            }
            foreach (var key in elsePuts)
            {
                if (puts.Contains(key) && !thenPuts.Contains(key)) throw EtcdErrors.DuplicateKey;
                if (deletes.Contains(key)) throw EtcdErrors.DuplicateKey;
                puts.Add(key);
            }
            deletes.AddAll(thenDeletes);
            deletes.AddAll(elseDeletes);
        }
        foreach (var op in ops)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestPut) continue;
            var key = op.RequestPut.Key;
            if (puts.Contains(key) || deletes.Contains(key)) throw EtcdErrors.DuplicateKey;
            puts.Add(key);
        }
    }

    /// <summary>Key ranges deleted in a txn branch: [key, end), or the single key when end is empty.</summary>
    private sealed class DeletedRanges
    {
        private readonly List<(ByteString Key, ByteString End)> _ranges = [];

        public void Add(ByteString key, ByteString end) => _ranges.Add((key, end));

        public void AddAll(DeletedRanges other) => _ranges.AddRange(other._ranges);

        public bool Contains(ByteString key)
        {
            foreach (var (start, end) in _ranges)
            {
                if (end.IsEmpty)
                {
                    if (start.Span.SequenceEqual(key.Span)) return true;
                }
                else if (start.Span.SequenceCompareTo(key.Span) <= 0 && key.Span.SequenceCompareTo(end.Span) < 0)
                {
                    return true;
                }
            }
            return false;
        }
    }
}
