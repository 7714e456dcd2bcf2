using Etcd.Api.Etcdserverpb;
using Etcd.Api.Mvccpb;
using Etcd.Mvcc;
using Etcd.Server.Api;
using Etcd.Server.Leases;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Tests.Leases;

public sealed class LeaseApplierTests : IDisposable
{
    private readonly ManualClock _clock = new();
    private readonly MemoryBackend _backend = new();
    private Lessor _lessor;
    private KvStore _kv;
    private LeaseApplier _applier;

    public LeaseApplierTests()
    {
        _lessor = new Lessor(_clock, 2, null);
        _kv = new KvStore(_backend, _lessor);
        _applier = new LeaseApplier(_lessor, TimeSpan.FromSeconds(1), persistCheckpoints: false);
    }

    public void Dispose()
    {
        _kv.Dispose();
        _backend.Dispose();
    }

    private T Apply<T>(Func<ApplyBatch, T> operation)
    {
        using var batch = _kv.BeginApply();
        var result = operation(batch);
        batch.Commit();
        _applier.Committed();
        return result;
    }

    private static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    private void Put(string key, long lease) => Apply(b => b.Put(new PutRequest { Key = B(key), Value = B("v"), Lease = lease }));

    [Fact]
    public void RevokeDeletesEveryAttachedKeyInOneRevisionAndTheRecordWithThem()
    {
        var grant = Apply(b => _applier.Grant(b, new LeaseGrantRequest { ID = 7, TTL = 30 }));
        Assert.Equal(7, grant.ID);
        Assert.Equal(30, grant.TTL);
        Put("a", 7);
        Put("b", 7);
        Put("c", 0);
        var observer = new RecordingObserver();
        _kv.Observer = observer;

        var revision = _kv.CurrentRevision;
        var revoke = Apply(b => _applier.Revoke(b, new LeaseRevokeRequest { ID = 7 }));
        Assert.Equal(revision + 1, revoke.Header.Revision);
        var deletions = Assert.Single(observer.Commits);
        Assert.Equal(["a", "b"], deletions.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.All(deletions, e => Assert.Equal(revision + 1, e.Kv.ModRevision));
        Assert.All(deletions, e => Assert.Equal(Event.Types.EventType.Delete, e.Type));
        Assert.Equal(1, _kv.Range(new RangeRequest { Key = B("a"), RangeEnd = B("z") }).Count);
        Assert.False(_lessor.Exists(7));
        using var view = _backend.Snapshot();
        Assert.Null(view.Get(Bucket.Lease, [0, 0, 0, 0, 0, 0, 0, 7]));
    }

    [Fact]
    public void RevokingALeaseWithoutKeysTakesNoRevision()
    {
        Apply(b => _applier.Grant(b, new LeaseGrantRequest { ID = 7, TTL = 30 }));
        var revision = _kv.CurrentRevision;
        Assert.Equal(revision, Apply(b => _applier.Revoke(b, new LeaseRevokeRequest { ID = 7 })).Header.Revision);
    }

    [Fact]
    public void RevokingAMissingLeaseIsEtcdsNotFound()
    {
        var error = Assert.Throws<EtcdException>(() => Apply(b => _applier.Revoke(b, new LeaseRevokeRequest { ID = 9 })));
        Assert.Equal(StatusCode.NotFound, error.Code);
        Assert.Equal("etcdserver: requested lease not found", error.Message);
    }

    [Fact]
    public void APutNamingAMissingLeaseIsRefused()
    {
        var error = Assert.Throws<MvccException>(() => Put("a", 9));
        Assert.Equal(MvccErrorKind.LeaseNotFound, error.Kind);
    }

    [Fact]
    public void KeepAliveWaitersHearOfTheRevocationOnlyAfterItCommits()
    {
        Apply(b => _applier.Grant(b, new LeaseGrantRequest { ID = 7, TTL = 30 }));
        var lease = _lessor.Lookup(7)!;
        using (var batch = _kv.BeginApply())
        {
            _applier.Revoke(batch, new LeaseRevokeRequest { ID = 7 });
            Assert.False(lease.WhenRevoked.IsCompleted);
            batch.Commit();
        }
        _applier.Committed();
        Assert.True(lease.WhenRevoked.IsCompleted);
    }

    [Fact]
    public void LeasesAndTheirKeysComeBackAfterARestart()
    {
        Apply(b => _applier.Grant(b, new LeaseGrantRequest { ID = 7, TTL = 30 }));
        Put("a", 7);
        _kv.Dispose();

        _lessor = new Lessor(_clock, 2, null);
        using (var view = _backend.Snapshot()) _lessor.Recover(view);
        _kv = new KvStore(_backend, _lessor);
        _applier = new LeaseApplier(_lessor, TimeSpan.FromSeconds(1), persistCheckpoints: false);
        Assert.Equal(30, _lessor.Lookup(7)!.Ttl);
        Assert.Equal(["a"], _kv.KeysWithLease(7).Select(k => System.Text.Encoding.UTF8.GetString(k)));

        Apply(b => _applier.Revoke(b, new LeaseRevokeRequest { ID = 7 }));
        Assert.Equal(0, _kv.Range(new RangeRequest { Key = B("a") }).Count);
    }

    [Theory]
    [InlineData(true, 12L)]
    [InlineData(false, 0L)]
    public void ACheckpointSurvivesARestartOnlyWhenCheckpointsArePersisted(bool persist, long remainingAfterRestart)
    {
        _applier = new LeaseApplier(_lessor, TimeSpan.FromSeconds(1), persistCheckpoints: persist);
        Apply(b => _applier.Grant(b, new LeaseGrantRequest { ID = 7, TTL = 30 }));
        var checkpoint = new LeaseCheckpointRequest();
        checkpoint.Checkpoints.Add(new LeaseCheckpoint { ID = 7, RemainingTTL = 12 });
        Apply(b => _applier.Checkpoint(b, checkpoint));
        _kv.Dispose();

        _lessor = new Lessor(_clock, 2, null);
        using (var view = _backend.Snapshot()) _lessor.Recover(view);
        _kv = new KvStore(_backend, _lessor);
        Assert.Equal(remainingAfterRestart, _lessor.Lookup(7)!.CheckpointedTtl);
    }

    [Fact]
    public void TheLeaderPromotesItsLessorWhenItAppliesTheFirstEntryOfItsTerm()
    {
        _applier.EmptyEntryApplied();
        Assert.False(_lessor.IsPrimary);
        _applier.OnLeadershipChanged(isLeader: true);
        Assert.False(_lessor.IsPrimary);
        _applier.EmptyEntryApplied();
        Assert.True(_lessor.IsPrimary);
        _applier.OnLeadershipChanged(isLeader: false);
        Assert.False(_lessor.IsPrimary);
    }

    private sealed class RecordingObserver : IKvObserver
    {
        public List<IReadOnlyList<Event>> Commits { get; } = [];

        public void Committed(long afterRevision, long throughRevision, IReadOnlyList<Event> events) => Commits.Add(events);

        public void Restored(long revision) => throw new InvalidOperationException("these tests never restore");
    }
}
