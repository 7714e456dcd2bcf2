using Etcd.Api.Etcdserverpb;
using CompareResult = Etcd.Api.Etcdserverpb.Compare.Types.CompareResult;
using CompareTarget = Etcd.Api.Etcdserverpb.Compare.Types.CompareTarget;

namespace Etcd.Mvcc.Tests;

/// <summary>Short builders for transaction parts.</summary>
internal static class Ops
{
    public static RequestOp Put(string key, string value, long lease = 0) =>
        new() { RequestPut = new PutRequest { Key = TestStore.B(key), Value = TestStore.B(value), Lease = lease } };

    public static RequestOp Put(PutRequest request) => new() { RequestPut = request };

    public static RequestOp Get(string key, string? rangeEnd = null, long revision = 0) =>
        new() { RequestRange = new RangeRequest { Key = TestStore.B(key), RangeEnd = TestStore.B(rangeEnd ?? ""), Revision = revision } };

    public static RequestOp Delete(string key, string? rangeEnd = null) =>
        new() { RequestDeleteRange = new DeleteRangeRequest { Key = TestStore.B(key), RangeEnd = TestStore.B(rangeEnd ?? "") } };

    public static RequestOp Nested(TxnRequest txn) => new() { RequestTxn = txn };

    public static TxnRequest Txn(Compare[] compares, RequestOp[] success, RequestOp[]? failure = null)
    {
        var txn = new TxnRequest();
        txn.Compare.AddRange(compares);
        txn.Success.AddRange(success);
        txn.Failure.AddRange(failure ?? []);
        return txn;
    }

    public static Compare Compare(string key, CompareTarget target, CompareResult result, long number = 0, string? value = null, string? rangeEnd = null)
    {
        var compare = new Compare
        {
            Key = TestStore.B(key),
            Target = target,
            Result = result,
            RangeEnd = TestStore.B(rangeEnd ?? ""),
        };
        switch (target)
        {
            case CompareTarget.Version:
                compare.Version = number;
                break;
            case CompareTarget.Create:
                compare.CreateRevision = number;
                break;
            case CompareTarget.Mod:
                compare.ModRevision = number;
                break;
            case CompareTarget.Lease:
                compare.Lease = number;
                break;
            case CompareTarget.Value:
                compare.Value = TestStore.B(value ?? "");
                break;
        }
        return compare;
    }
}
