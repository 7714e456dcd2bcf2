using Etcd.Api.Etcdserverpb;
using Google.Protobuf.Collections;

namespace Etcd.Mvcc;

/// <summary>etcd's Txn: guards, then one branch of operations, all at one revision.</summary>
public sealed partial class ApplyBatch
{
    // Which branch each transaction on the chosen path takes, in pre-order: the outer
    // transaction first, then each nested one as its operation comes up. From the workspace.
    private readonly List<bool> txnPath;

    /// <summary>
    /// etcd's Txn as one write transaction. As in etcd, every guard on the chosen path, nested
    /// ones included, is evaluated against the state before the transaction, and every operation
    /// on the path is checked before the first one runs; reads inside see earlier writes of the
    /// same transaction.
    /// </summary>
    public TxnResponse Txn(TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfClosed();
        store.IndexLock.EnterWriteLock();
        try
        {
            txnPath.Clear();
            ChoosePath(request);
            int cursor = 0;
            CheckPuts(request, ref cursor);
            cursor = 0;
            CheckRanges(request, ref cursor);

            BeginTxn();
            cursor = 0;
            TxnResponse response = ApplyTxn(request, ref cursor);
            EndTxn();
            response.Header.Revision = Revision;
            return response;
        }
        finally
        {
            EndOperation();
        }
    }

    private void ChoosePath(TxnRequest request)
    {
        bool succeeded = true;
        // Indexed loops: a RepeatedField's enumerator is allocated, and this is the hot path of
        // every Kubernetes write.
        for (int i = 0; i < request.Compare.Count && succeeded; i++)
        {
            succeeded = CompareEvaluator.Holds(Index, request.Compare[i], this);
        }
        txnPath.Add(succeeded);
        RepeatedField<RequestOp> ops = succeeded ? request.Success : request.Failure;
        for (int i = 0; i < ops.Count; i++)
        {
            if (ops[i].RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                ChoosePath(ops[i].RequestTxn);
            }
        }
    }

    /// <summary>etcd checks every put on the path first (key before lease), then every range.</summary>
    private void CheckPuts(TxnRequest request, ref int cursor)
    {
        RepeatedField<RequestOp> ops = txnPath[cursor++] ? request.Success : request.Failure;
        for (int i = 0; i < ops.Count; i++)
        {
            RequestOp op = ops[i];
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestTxn:
                    CheckPuts(op.RequestTxn, ref cursor);
                    break;
                case RequestOp.RequestOneofCase.RequestPut:
                    CheckIgnoredFieldsHaveKey(op.RequestPut);
                    CheckLease(op.RequestPut.Lease);
                    break;
            }
        }
    }

    private void CheckRanges(TxnRequest request, ref int cursor)
    {
        RepeatedField<RequestOp> ops = txnPath[cursor++] ? request.Success : request.Failure;
        for (int i = 0; i < ops.Count; i++)
        {
            RequestOp op = ops[i];
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestTxn:
                    CheckRanges(op.RequestTxn, ref cursor);
                    break;
                case RequestOp.RequestOneofCase.RequestRange:
                    // etcd's check differs from a plain range here: any revision other than 0,
                    // even a negative one, below the compaction revision fails.
                    long requested = op.RequestRange.Revision;
                    if (requested > Revision)
                    {
                        throw new MvccException(MvccErrorKind.FutureRevision);
                    }
                    if (requested != 0 && requested < CompactRevision)
                    {
                        throw new MvccException(MvccErrorKind.Compacted);
                    }
                    break;
            }
        }
    }

    private TxnResponse ApplyTxn(TxnRequest request, ref int cursor)
    {
        bool succeeded = txnPath[cursor++];
        // Nested responses carry an empty header, as etcd's do; the caller fills the outer one.
        var response = new TxnResponse { Succeeded = succeeded, Header = new ResponseHeader() };
        RepeatedField<RequestOp> ops = succeeded ? request.Success : request.Failure;
        response.Responses.Capacity = ops.Count;
        for (int i = 0; i < ops.Count; i++)
        {
            RequestOp op = ops[i];
            response.Responses.Add(op.RequestCase switch
            {
                RequestOp.RequestOneofCase.RequestRange => new ResponseOp { ResponseRange = RangeInTxn(op.RequestRange) },
                RequestOp.RequestOneofCase.RequestPut => new ResponseOp { ResponsePut = ApplyPut(op.RequestPut) },
                RequestOp.RequestOneofCase.RequestDeleteRange => new ResponseOp { ResponseDeleteRange = ApplyDeleteRange(op.RequestDeleteRange) },
                RequestOp.RequestOneofCase.RequestTxn => new ResponseOp { ResponseTxn = ApplyTxn(op.RequestTxn, ref cursor) },
                _ => new ResponseOp(),
            });
        }
        return response;
    }

    private RangeResponse RangeInTxn(RangeRequest request)
    {
        long current = TxnReadRevision;
        long atRevision = RangeQuery.ReadRevision(request.Revision, current, CompactRevision);
        RangeScan scan = RangeScan.Collect(Index, request, atRevision);
        try
        {
            return RangeQuery.Complete(ref scan, request, current, this);
        }
        finally
        {
            scan.Dispose();
        }
    }
}
