using System.Buffers;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Server.Watch;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Tests.Watch;

/// <summary>
/// Responses that share their header and events are encoded once and copied with each watch id;
/// whatever is encoded must parse back to the response it came from.
/// </summary>
public sealed class WatchResponseMarshallerTests
{
    private static readonly ResponseHeader Header = new() { ClusterId = 1, MemberId = 2, Revision = 7, RaftTerm = 3 };

    private static readonly Event Put = new()
    {
        Type = Event.Types.EventType.Put,
        Kv = new KeyValue { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v"), CreateRevision = 5, ModRevision = 7, Version = 2 },
    };

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(300L)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public void SharedEventsRoundTripWithEachWatchId(long watchId)
    {
        var response = new WatchResponse { Header = Header, WatchId = watchId };
        response.Events.Add(Put);
        var decoded = WatchResponse.Parser.ParseFrom(Encode(response));
        Assert.Equal(response, decoded);
    }

    [Fact]
    public void ResponsesSharingHeaderAndEventsDifferOnlyInTheirIds()
    {
        var encoded = new List<WatchResponse>();
        for (var id = 0L; id < 3; id++)
        {
            var response = new WatchResponse { Header = Header, WatchId = id };
            response.Events.Add(Put);
            encoded.Add(WatchResponse.Parser.ParseFrom(Encode(response)));
        }
        Assert.Equal([0L, 1L, 2L], encoded.Select(r => r.WatchId));
        Assert.All(encoded, r => Assert.Equal(Put, Assert.Single(r.Events)));
    }

    [Fact]
    public void EqualButDistinctEventsAreNotMistakenForCachedOnes()
    {
        var first = new WatchResponse { Header = Header, WatchId = 1 };
        first.Events.Add(Put);
        Encode(first);
        var changed = Put.Clone();
        changed.Kv.Value = ByteString.CopyFromUtf8("other");
        var second = new WatchResponse { Header = Header, WatchId = 1 };
        second.Events.Add(changed);
        Assert.Equal(second, WatchResponse.Parser.ParseFrom(Encode(second)));
    }

    [Fact]
    public void OtherResponsesAreEncodedAsUsual()
    {
        var created = new WatchResponse { Header = Header, WatchId = 4, Created = true };
        Assert.Equal(created.ToByteArray(), Encode(created));
        var compacted = new WatchResponse { Header = Header, WatchId = 4, Canceled = true, CompactRevision = 3 };
        Assert.Equal(compacted.ToByteArray(), Encode(compacted));
    }

    private static byte[] Encode(WatchResponse response)
    {
        var context = new BufferContext();
        WatchResponseMarshaller.Instance.ContextualSerializer(response, context);
        Assert.Equal(context.PayloadLength, context.Written.WrittenCount);
        return context.Written.WrittenSpan.ToArray();
    }

    private sealed class BufferContext : SerializationContext
    {
        public ArrayBufferWriter<byte> Written { get; } = new();
        public int PayloadLength { get; private set; } = -1;
        public override void SetPayloadLength(int payloadLength) => PayloadLength = payloadLength;
        public override IBufferWriter<byte> GetBufferWriter() => Written;
        public override void Complete()
        {
        }
    }
}
