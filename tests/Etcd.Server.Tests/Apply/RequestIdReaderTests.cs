using Etcd.Api.Etcdserverpb;
using Etcd.Server.State;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Etcd.Server.Tests.Apply;

public sealed class RequestIdReaderTests(ITestOutputHelper output)
{
    [Fact]
    public void FindsTheHeaderIdAfterTheRequestBody()
    {
        var request = new InternalRaftRequest
        {
            Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFrom(new byte[300]), Lease = 7 },
            Header = new RequestHeader { ID = 0x1234_5678_9abc_def0, Username = "root", AuthRevision = 3 },
        };
        Assert.Equal(0x1234_5678_9abc_def0ul, RequestIdReader.Read(request.ToByteArray()));
    }

    [Fact]
    public void FallsBackToTheLegacyIdWithoutAHeader()
    {
        var request = new InternalRaftRequest { ID = 99, Compaction = new CompactionRequest { Revision = 5 } };
        Assert.Equal(99ul, RequestIdReader.Read(request.ToByteArray()));
    }

    [Fact]
    public void AgreesWithTheDecoderOnRandomRequests()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (var i = 0; i < 2000; i++)
        {
            var request = new InternalRaftRequest();
            if (random.Next(2) == 0) request.ID = (ulong)random.NextInt64();
            switch (random.Next(4))
            {
                case 0: request.Put = new PutRequest { Key = Bytes(random), Value = Bytes(random), PrevKv = random.Next(2) == 0 }; break;
                case 1: request.DeleteRange = new DeleteRangeRequest { Key = Bytes(random), RangeEnd = Bytes(random) }; break;
                case 2: request.LeaseGrant = new LeaseGrantRequest { ID = random.NextInt64(), TTL = random.Next() }; break;
                default: break;
            }
            if (random.Next(3) != 0) request.Header = new RequestHeader { ID = (ulong)random.NextInt64(), Username = random.Next(2) == 0 ? "" : "u" };
            var expected = request.Header?.ID ?? request.ID;
            Assert.True(expected == RequestIdReader.Read(request.ToByteArray()), $"seed {seed}, request {i}: {request}");
        }
    }

    [Fact]
    public void MalformedInputReadsAsNoId()
    {
        var encoded = new InternalRaftRequest { Header = new RequestHeader { ID = 5 }, Put = new PutRequest { Key = ByteString.CopyFromUtf8("key") } }.ToByteArray();
        for (var cut = 0; cut < encoded.Length; cut++)
        {
            var id = RequestIdReader.Read(encoded.AsSpan(0, cut));
            // A prefix may hold a complete header; otherwise nothing is found.
            Assert.True(id is 0 or 5, $"cut at {cut}: {id}");
        }
        Assert.Equal(0ul, RequestIdReader.Read([0xFF, 0xFF, 0xFF]));
        Assert.Equal(0ul, RequestIdReader.Read([0x0F])); // wire type 7 does not exist
    }

    private static ByteString Bytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }
}
