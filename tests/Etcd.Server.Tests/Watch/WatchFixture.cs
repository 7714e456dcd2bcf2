using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Logging;
using Etcd.Server.Watch;
using Etcd.Storage.Backend.Memory;
using Google.Protobuf;

namespace Etcd.Server.Tests.Watch;

/// <summary>A watch hub over a store on a memory backend; the test thread plays the apply loop.</summary>
internal sealed class WatchFixture : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private readonly Etcd.Storage.Backend.ReplaceableBackend _backend = new(new MemoryBackend());
    private readonly ZapLogger _logger = new(LogLevel.Error, [Stream.Null], ownsOutputs: false);

    /// <param name="started">Whether the hub's loops run from the start; a test that must set up several watchers before the first catch-up round starts it itself.</param>
    public WatchFixture(int fragmentBytes = 1 << 20, TimeSpan? progressInterval = null, bool started = true)
    {
        Kv = new KvStore(_backend);
        Hub = new WatchHub(Kv, revision => new ResponseHeader { ClusterId = 1, MemberId = 2, RaftTerm = 3, Revision = revision },
            fragmentBytes, progressInterval ?? TimeSpan.FromMinutes(10), _logger, TimeProvider.System);
        if (started) Hub.Start();
    }

    public KvStore Kv { get; }

    public WatchHub Hub { get; }

    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    public long Put(string key, string value) => Apply(b => b.Put(new PutRequest { Key = B(key), Value = B(value) }).Header.Revision);

    public long Delete(string key, string? end = null) =>
        Apply(b => b.DeleteRange(new DeleteRangeRequest { Key = B(key), RangeEnd = B(end ?? "") }).Header.Revision);

    public void Compact(long revision) => Apply(b => b.Compact(new CompactionRequest { Revision = revision }));

    /// <summary>Several write transactions committed as one batch, as the apply loop commits a Ready.</summary>
    public T Apply<T>(Func<ApplyBatch, T> operations)
    {
        using var batch = Kv.BeginApply();
        var result = operations(batch);
        batch.Commit();
        return result;
    }

    /// <summary>What installing a leader's snapshot does to the store: its contents become a copy of <paramref name="source"/>'s.</summary>
    public void Restore(Etcd.Storage.Backend.IBackend source)
    {
        using var archive = new MemoryStream();
        source.WriteSnapshotTo(archive);
        archive.Position = 0;
        var copy = MemoryBackend.RestoreFrom(archive);
        Kv.Restore(() => _backend.Replace(copy));
    }

    public static WatchCreateRequest Create(string key, string? end = null, long start = 0, long id = 0) =>
        new() { Key = B(key), RangeEnd = B(end ?? ""), StartRevision = start, WatchId = id };

    /// <summary>Takes responses until <paramref name="done"/> says enough, failing the test after a deadline.</summary>
    public static async Task<List<WatchResponse>> TakeUntil(WatchSession session, Func<List<WatchResponse>, bool> done)
    {
        var taken = new List<WatchResponse>();
        using var timeout = new CancellationTokenSource(Deadline);
        while (!done(taken))
        {
            if (session.TryTake(out var response, out _))
            {
                taken.Add(response);
                continue;
            }
            try
            {
                if (!await session.WaitToTakeAsync(timeout.Token)) break;
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"timed out after {taken.Count} responses: {string.Join(" | ", taken)}");
            }
        }
        return taken;
    }

    public static Task<List<WatchResponse>> Take(WatchSession session, int count) => TakeUntil(session, t => t.Count >= count);

    /// <summary>What is queued right now, without waiting.</summary>
    public static List<WatchResponse> TakeQueued(WatchSession session)
    {
        var taken = new List<WatchResponse>();
        while (session.TryTake(out var response, out _)) taken.Add(response);
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Kv.Dispose();
        _backend.Dispose();
        _logger.Dispose();
    }
}
