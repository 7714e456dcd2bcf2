using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Etcd.Server.Peers.Protocol;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Tests.Peers;

/// <summary>A snapshot's backend arrives in chunks and is on disk, complete, before Raft hears of the snapshot.</summary>
public sealed class SnapshotReceiverTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("etcd-snap-recv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Message Snap(ulong index) => new()
    {
        Type = MessageType.MsgSnap,
        From = 2,
        To = 1,
        Snapshot = new Snapshot { Metadata = new SnapshotMetadata { Index = index, Term = 3, ConfState = new ConfState { Voters = { 1, 2 } } } },
    };

    private static SnapshotChunk Pairs(params (Bucket Bucket, string Key, string Value)[] pairs)
    {
        var chunk = new SnapshotChunk();
        foreach (var (bucket, key, value) in pairs)
            chunk.Pairs.Add(new BackendPair { Bucket = (uint)bucket, Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value) });
        return chunk;
    }

    [Fact]
    public async Task WritesTheBackendThenHandsOverTheMessage()
    {
        var backends = new ReceivedBackends(_dir);
        var receiver = new SnapshotReceiver(backends, 1, ZapLogger.Discard);
        var message = await receiver.ReceiveAsync(new ListReader(
        [
            new SnapshotChunk { Message = Snap(42) },
            Pairs((Bucket.Key, "k1", "v1"), (Bucket.Key, "k2", "v2")),
            Pairs((Bucket.Members, "a", "{}")),
            new SnapshotChunk { Last = true, TotalPairs = 3 },
        ]), from: 2, PeerMessageCheckTests.CheckOfMember1, CancellationToken.None);

        Assert.Equal(42UL, message.Snapshot.Metadata.Index);
        var path = backends.Find(42);
        Assert.NotNull(path);
        using var backend = RocksDbBackend.Open(path);
        using var view = backend.Snapshot();
        Assert.Equal("v2"u8.ToArray(), view.Get(Bucket.Key, "k2"u8));
        Assert.Equal("{}"u8.ToArray(), view.Get(Bucket.Members, "a"u8));
    }

    [Fact]
    public async Task AStreamCutShortLeavesNothingBehind()
    {
        var backends = new ReceivedBackends(_dir);
        var receiver = new SnapshotReceiver(backends, 1, ZapLogger.Discard);
        var error = await Assert.ThrowsAsync<RpcException>(() => receiver.ReceiveAsync(new ListReader(
        [
            new SnapshotChunk { Message = Snap(7) },
            Pairs((Bucket.Key, "k1", "v1")),
            new SnapshotChunk { Last = true, TotalPairs = 2 },
        ]), from: 2, PeerMessageCheckTests.CheckOfMember1, CancellationToken.None));
        Assert.Equal(StatusCode.DataLoss, error.StatusCode);
        Assert.Null(backends.Find(7));
        Assert.Empty(Directory.EnumerateDirectories(_dir));
    }

    [Fact]
    public async Task RefusesAnotherMessageType()
    {
        var receiver = new SnapshotReceiver(new ReceivedBackends(_dir), 1, ZapLogger.Discard);
        var error = await Assert.ThrowsAsync<RpcException>(() => receiver.ReceiveAsync(new ListReader(
            [new SnapshotChunk { Message = new Message { Type = MessageType.MsgApp } }]), from: 2, PeerMessageCheckTests.CheckOfMember1, CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task ASnapshotFromAStrangerNeverReachesTheDisk()
    {
        var backends = new ReceivedBackends(_dir);
        var receiver = new SnapshotReceiver(backends, 1, ZapLogger.Discard);
        var forged = Snap(9);
        forged.From = 99;
        var error = await Assert.ThrowsAsync<RpcException>(() => receiver.ReceiveAsync(new ListReader(
        [
            new SnapshotChunk { Message = forged },
            Pairs((Bucket.Key, "k1", "v1")),
            new SnapshotChunk { Last = true, TotalPairs = 1 },
        ]), from: 99, PeerMessageCheckTests.CheckOfMember1, CancellationToken.None));
        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Null(backends.Find(9));
        Assert.Empty(Directory.EnumerateDirectories(_dir));
    }

    private sealed class ListReader(IReadOnlyList<SnapshotChunk> chunks) : IAsyncStreamReader<SnapshotChunk>
    {
        private int _next = -1;

        public SnapshotChunk Current => chunks[_next];

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromResult(++_next < chunks.Count);
    }
}
