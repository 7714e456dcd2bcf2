using System.Text;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Server.JsonGateway;
using Google.Protobuf;

namespace Etcd.Server.Tests.Gateway;

/// <summary>
/// The gateway's JSON is grpc-gateway's JSONPb (OrigName) byte for byte; the expected strings
/// are what etcd 3.4's gateway answers for the same messages.
/// </summary>
public sealed class ProtoJsonTests
{
    [Fact]
    public void WritesCompactProtoNamesWithQuoted64BitIntegersAndNoZeroFields()
    {
        var response = new RangeResponse
        {
            Header = new ResponseHeader { ClusterId = 13455796455940752355, MemberId = 443629905751424238, Revision = 2, RaftTerm = 2 },
            Count = 1,
        };
        response.Kvs.Add(new KeyValue { Key = ByteString.CopyFromUtf8("foo"), Value = ByteString.CopyFromUtf8("bar"), CreateRevision = 2, ModRevision = 2, Version = 1 });
        Assert.Equal(
            "{\"header\":{\"cluster_id\":\"13455796455940752355\",\"member_id\":\"443629905751424238\",\"revision\":\"2\",\"raft_term\":\"2\"}," +
            "\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"YmFy\"}],\"count\":\"1\"}",
            ProtoJsonWriter.Format(response));
    }

    [Fact]
    public void KeepsFieldNamesAsDeclaredAndEmptyMessagesThatAreSet()
    {
        Assert.Equal("{\"header\":{},\"ID\":\"7\",\"TTL\":\"20\",\"grantedTTL\":\"30\"}",
            ProtoJsonWriter.Format(new LeaseTimeToLiveResponse { Header = new ResponseHeader(), ID = 7, TTL = 20, GrantedTTL = 30 }));
    }

    [Fact]
    public void WritesEnumsByNameAndASetOneofMemberEvenWhenZero()
    {
        var compare = new Compare { Result = Compare.Types.CompareResult.Greater, Target = Compare.Types.CompareTarget.Mod, Key = ByteString.CopyFromUtf8("k"), ModRevision = 0 };
        Assert.Equal("{\"result\":\"GREATER\",\"target\":\"MOD\",\"key\":\"aw==\",\"mod_revision\":\"0\"}", ProtoJsonWriter.Format(compare));
        // An event of type PUT (0) has no "type", as etcd's gateway prints it.
        Assert.Equal("{\"kv\":{\"key\":\"aw==\"}}", ProtoJsonWriter.Format(new Event { Kv = new KeyValue { Key = ByteString.CopyFromUtf8("k") } }));
    }

    [Fact]
    public void EscapesStringsAsGoDoes()
    {
        var text = new StringBuilder();
        GoJsonString.Append(text, "\"a\"<b>&\\\n\u0001\u2028é");
        Assert.Equal("\"\\\"a\\\"\\u003cb\\u003e\\u0026\\\\\\n\\u0001\\u2028é\"", text.ToString());
    }

    [Fact]
    public void ReadsLeaseIdsGivenAsNumbersExactly()
    {
        // Go's json.Marshal of pb.LeaseGrantRequest (what etcd's e2e tests send): a 64-bit id
        // as a bare number, which a double would round.
        var request = (LeaseGrantRequest)ProtoJsonReader.Parse("{\"TTL\":20,\"ID\":4924406575940403662}"u8, LeaseGrantRequest.Descriptor);
        Assert.Equal(4924406575940403662, request.ID);
        Assert.Equal(20, request.TTL);
        Assert.Equal(4924406575940403663, ((LeaseGrantRequest)ProtoJsonReader.Parse("{\"ID\":\"4924406575940403663\"}"u8, LeaseGrantRequest.Descriptor)).ID);
    }

    [Fact]
    public void ReadsProtoAndJsonNamesEnumsByNameOrNumberAndNestedOneofs()
    {
        var json = "{\"create_request\":{\"key\":\"Zm9v\",\"rangeEnd\":\"Zm9w\",\"start_revision\":\"3\",\"filters\":[1,\"NODELETE\"],\"prev_kv\":true}}"u8;
        var request = (WatchRequest)ProtoJsonReader.Parse(json, WatchRequest.Descriptor);
        var create = request.CreateRequest;
        Assert.Equal("foo", create.Key.ToStringUtf8());
        Assert.Equal("fop", create.RangeEnd.ToStringUtf8());
        Assert.Equal(3, create.StartRevision);
        Assert.Equal([WatchCreateRequest.Types.FilterType.Nodelete, WatchCreateRequest.Types.FilterType.Nodelete], create.Filters);
        Assert.True(create.PrevKv);
    }

    [Fact]
    public void IgnoresUnknownFieldsAndNullsAsJsonpbDoesForTheGateway()
    {
        // etcd's e2e "malformed" txn: Go field names the gateway does not know are dropped.
        var json = "{\"compare\":[{\"result\":0,\"target\":1,\"key\":\"Zm9v\",\"TargetUnion\":null}],\"success\":[{\"Request\":{\"RequestPut\":{\"key\":\"Zm9v\"}}}]}"u8;
        var txn = (TxnRequest)ProtoJsonReader.Parse(json, TxnRequest.Descriptor);
        Assert.Equal(Compare.Types.CompareTarget.Create, txn.Compare[0].Target);
        Assert.Equal(Compare.TargetUnionOneofCase.None, txn.Compare[0].TargetUnionCase);
        Assert.Equal(RequestOp.RequestOneofCase.None, txn.Success[0].RequestCase);
    }

    [Fact]
    public void RefusesAValueOfTheWrongType()
    {
        var error = Assert.Throws<FormatException>(() => ProtoJsonReader.Parse("{\"TTL\":true}"u8, LeaseGrantRequest.Descriptor));
        Assert.Equal("json: cannot unmarshal bool into Go value of type int64", error.Message);
    }

    [Fact]
    public void ReadsBase64InEitherAlphabet()
    {
        var std = (PutRequest)ProtoJsonReader.Parse("{\"key\":\"+/8=\"}"u8, PutRequest.Descriptor);
        var url = (PutRequest)ProtoJsonReader.Parse("{\"key\":\"-_8=\"}"u8, PutRequest.Descriptor);
        Assert.Equal(new byte[] { 0xfb, 0xff }, std.Key.ToByteArray());
        Assert.Equal(std.Key, url.Key);
    }
}
