using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Raft.Raftpb;
using Etcd.Server.Authentication;
using Etcd.Server.Core;
using Etcd.Server.Logging;
using Etcd.Server.Peers;
using Etcd.Server.State;
using Etcd.Server.Watch;
using Etcd.Storage.Backend.Memory;
using Etcd.Storage.Backend.RocksDb;
using Google.Protobuf;

namespace Etcd.Server.Tests.State;

/// <summary>
/// A member installing one leader snapshot after another while clients read, watch, ask for
/// metrics and defragment, all at once, on real RocksDB databases: nothing reads a closed
/// database (that would crash the process), every read sees one whole state, and a watcher
/// from the first revision gets the whole history once, in order, across every install.
/// </summary>
public sealed class MemberStateRestoreTests : IDisposable
{
    private const int Keys = 50;
    private const int Installs = 25;
    private readonly string _snapDir = Directory.CreateTempSubdirectory("memberstate-").FullName;

    public void Dispose() => Directory.Delete(_snapDir, recursive: true);

    private static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    [Fact]
    public async Task ReadsWatchesMetricsAndDefragAcrossRepeatedSnapshotInstalls()
    {
        var received = new ReceivedBackends(_snapDir);
        using var state = new MemberState(new RocksDbBackendFiles(received, ZapLogger.Discard), 0, new ConfState { Voters = { 1 } }, new ProposalWaiters(),
            new MemberStateSettings
            {
                LocalId = 1,
                ClusterId = 2,
                Time = TimeProvider.System,
                Logger = ZapLogger.Discard,
                LeaseMinTtl = 1,
                LeasePromotionExtension = TimeSpan.Zero,
                Tokens = new SimpleTokens(TimeProvider.System, TimeSpan.FromMinutes(5)),
            });
        await using var hub = new WatchHub(state.Kv, revision => new ResponseHeader { Revision = revision }, 1 << 20, TimeSpan.FromMinutes(10), ZapLogger.Discard, TimeProvider.System);
        hub.Start();
        var session = hub.OpenSession();
        session.Create(new WatchCreateRequest { Key = B("k"), RangeEnd = B("l"), StartRevision = 1 });

        // The leader's history grows by one round of puts per snapshot, so every snapshot extends the one before.
        using var leaderBackend = new MemoryBackend();
        using var leader = new KvStore(leaderBackend);

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        Task Hammer(string what, Action action) => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    action();
                }
                catch (Exception e)
                {
                    lock (failures) failures.Add($"{what}: {e}");
                    return;
                }
            }
        });
        var readers = new[]
        {
            Hammer("range", () =>
            {
                var values = state.Kv.Range(new RangeRequest { Key = B("k"), RangeEnd = B("l") }).Kvs.Select(kv => kv.Value.ToStringUtf8()).Distinct().ToList();
                if (values.Count > 1) throw new InvalidOperationException($"one read saw several states: {string.Join(",", values)}");
            }),
            Hammer("metrics", () => _ = state.Backend.SizeBytes + state.Backend.SizeInUseBytes + state.Kv.CurrentRevision),
            Hammer("defrag", state.Backend.Defragment),
            Hammer("hash", () => _ = state.Kv.HashKV(0)),
        };

        for (var install = 1; install <= Installs; install++)
        {
            using (var batch = leader.BeginApply())
            {
                for (var k = 0; k < Keys; k++) batch.Put(new PutRequest { Key = B($"k{k:d2}"), Value = B($"v{install}") });
                batch.SetConsistentIndex((ulong)(100 * install), 1);
                batch.Commit();
            }
            var index = (ulong)(100 * install);
            using (var archive = new MemoryStream())
            {
                leaderBackend.WriteSnapshotTo(archive);
                archive.Position = 0;
                RocksDbBackend.RestoreFrom(archive, received.PathFor(index));
            }
            state.Restore(new Snapshot { Metadata = new SnapshotMetadata { Index = index, Term = 1, ConfState = new ConfState { Voters = { 1 } } } });
            Assert.Equal(index, state.AppliedIndex);
            Assert.Equal(leader.CurrentRevision, state.Kv.CurrentRevision);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Every revision of the leader's history, once, in order: puts of round r hold revisions 2+50(r-1) .. 1+50r.
        var revisions = new List<long>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (revisions.Count < Keys * Installs)
        {
            while (session.TryTake(out var response, out _)) revisions.AddRange(response.Events.Select(e => e.Kv.ModRevision));
            if (revisions.Count < Keys * Installs) await session.WaitToTakeAsync(timeout.Token);
        }
        Assert.Equal(Enumerable.Range(2, Keys * Installs).Select(r => (long)r), revisions);
        // Only the newest database is left on disk once the old ones' readers are gone.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Directory.EnumerateDirectories(_snapDir).Count() > 1 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Single(Directory.EnumerateDirectories(_snapDir));
    }
}
