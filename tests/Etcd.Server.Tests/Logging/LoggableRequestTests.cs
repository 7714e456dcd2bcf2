using Etcd.Api.Etcdserverpb;
using Etcd.Server.Logging;
using Google.Protobuf;

namespace Etcd.Server.Tests.Logging;

/// <summary>Requests in slow-apply warnings: Go's compact text as etcd logs it, values only by size.</summary>
public sealed class LoggableRequestTests
{
    [Fact]
    public void APutShowsItsKeyAndTheSizeOfItsValueNotTheValue()
    {
        var request = new InternalRaftRequest
        {
            Header = new RequestHeader { ID = 7587, Username = "root", AuthRevision = 2 },
            Put = new PutRequest { Key = ByteString.CopyFromUtf8("/registry/pods/a"), Value = ByteString.CopyFromUtf8("secret!"), Lease = 42, PrevKv = true },
        };
        var text = LoggableRequest.Of(request);
        Assert.Equal("header:<ID:7587 username:\"root\" auth_revision:2 > put:<key:\"/registry/pods/a\" value_size:7 lease:42 prev_kv:true >", text);
        Assert.DoesNotContain("secret", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ATxnHidesValuesInComparesAndNestedPuts()
    {
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Target = Compare.Types.CompareTarget.Mod, Key = ByteString.CopyFromUtf8("k"), ModRevision = 0 });
        txn.Compare.Add(new Compare { Result = Compare.Types.CompareResult.NotEqual, Target = Compare.Types.CompareTarget.Value, Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("hidden") });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("hidden!") } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = ByteString.CopyFromUtf8("k") } });
        var text = LoggableRequest.Of(new InternalRaftRequest { Header = new RequestHeader { ID = 1 }, Txn = txn });
        // etcd joins the compares (each ending in a space) with one more space inside one compare:<>.
        Assert.Equal("header:<ID:1 > txn:<compare:<target:MOD key:\"k\" mod_revision:0  result:NOT_EQUAL target:VALUE key:\"k\" value_size:6 > "
            + "success:<request_put:<key:\"k\" value_size:7 >> failure:<request_range:<key:\"k\" > >>", text);
        Assert.DoesNotContain("hidden", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ARangeWritesItsOptionsAndEscapesBytesAsGoDoes()
    {
        var range = new RangeRequest
        {
            Key = ByteString.CopyFrom([(byte)'a', 0x01, (byte)'"', (byte)'\\', (byte)'\n', 0xff]),
            RangeEnd = ByteString.CopyFromUtf8("b"),
            Limit = 10,
            SortOrder = RangeRequest.Types.SortOrder.Descend,
            CountOnly = true,
        };
        Assert.Equal("key:\"a\\001\\\"\\\\\\n\\377\" range_end:\"b\" limit:10 sort_order:DESCEND count_only:true ", LoggableRequest.Of(range));
    }

    [Fact]
    public void LeasesUseEtcdsOwnForms()
    {
        Assert.Equal("header:<ID:3 > lease_grant:<ttl:60-second id:000000000000002a>",
            LoggableRequest.Of(new InternalRaftRequest { Header = new RequestHeader { ID = 3 }, LeaseGrant = new LeaseGrantRequest { TTL = 60, ID = 42 } }));
        Assert.Equal("header:<ID:3 > lease_revoke:<id:000000000000002a>",
            LoggableRequest.Of(new InternalRaftRequest { Header = new RequestHeader { ID = 3 }, LeaseRevoke = new LeaseRevokeRequest { ID = 42 } }));
    }
}
