using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Tests.Api;

public sealed class RequestValidationTests
{
    private static RequestOp Put(string key) => new() { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8(key) } };

    private static RequestOp Delete(string key, string end = "") => new()
    {
        RequestDeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key), RangeEnd = ByteString.CopyFromUtf8(end) },
    };

    private static RequestOp Nested(RequestOp[] then, RequestOp[] otherwise)
    {
        var txn = new TxnRequest();
        txn.Success.Add(then);
        txn.Failure.Add(otherwise);
        return new RequestOp { RequestTxn = txn };
    }

    private static TxnRequest Txn(params RequestOp[] success)
    {
        var txn = new TxnRequest();
        txn.Success.Add(success);
        return txn;
    }

    private static string Refusal(TxnRequest txn, int maxOps = 128) =>
        Assert.Throws<EtcdException>(() => RequestValidation.CheckTxn(txn, maxOps)).Message;

    [Fact]
    public void SameKeyPutTwiceIsRefused() =>
        Assert.Equal("etcdserver: duplicate key given in txn request", Refusal(Txn(Put("a"), Put("a"))));

    [Fact]
    public void PutInsideADeletedRangeIsRefused() =>
        Assert.Equal("etcdserver: duplicate key given in txn request", Refusal(Txn(Delete("a", "c"), Put("b"))));

    [Fact]
    public void PutOutsideTheDeletedRangeIsFine() => RequestValidation.CheckTxn(Txn(Delete("a", "c"), Put("c")), 128);

    [Fact]
    public void ThePutsOfBothNestedBranchesMayShareAKey() =>
        RequestValidation.CheckTxn(Txn(Nested([Put("a")], [Put("a")])), 128);

    [Fact]
    public void ANestedPutClashingWithAnOuterPutIsRefused() =>
        Assert.Equal("etcdserver: duplicate key given in txn request", Refusal(Txn(Put("a"), Nested([Put("a")], []))));

    [Fact]
    public void TooManyOperationsIsRefused() =>
        Assert.Equal("etcdserver: too many operations in txn request", Refusal(Txn(Put("a"), Put("b"), Put("c")), maxOps: 2));

    [Fact]
    public void EmptyKeysAreRefused()
    {
        Assert.Equal("etcdserver: key is not provided", Refusal(Txn(Put(""))));
        var error = Assert.Throws<EtcdException>(() => RequestValidation.CheckRange(new RangeRequest()));
        Assert.Equal(StatusCode.InvalidArgument, error.Code);
    }

    [Fact]
    public void PutWithIgnoreValueAndAValueIsRefused()
    {
        var error = Assert.Throws<EtcdException>(() => RequestValidation.CheckPut(new PutRequest
        {
            Key = ByteString.CopyFromUtf8("k"),
            Value = ByteString.CopyFromUtf8("v"),
            IgnoreValue = true,
        }));
        Assert.Equal("etcdserver: value is provided", error.Message);
    }
}
