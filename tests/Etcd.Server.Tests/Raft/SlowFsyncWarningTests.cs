using System.Text.Json;
using Etcd.Api.Etcdserverpb;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Replication;

namespace Etcd.Server.Tests.Raft;

/// <summary>etcd's WAL warns "slow fdatasync" when a sync takes longer than a second.</summary>
public sealed class SlowFsyncWarningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("slow-fsync-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ASyncLongerThanTheThresholdIsLoggedWithItsDurationAndTheExpectedOne()
    {
        var logPath = Path.Combine(_dir, "log");
        using (var logger = ZapLogger.Create("info", [logPath]))
        using (var log = WalRaftLog.Create(Path.Combine(_dir, "wal"), Path.Combine(_dir, "snap"), new Metadata { NodeID = 1, ClusterID = 2 }, fsync: true, maxSnapshots: 1))
        {
            log.Logger = logger;
            Assert.Equal(TimeSpan.FromSeconds(1), log.SlowSyncThreshold); // etcd's warnSyncDuration
            // Any real fdatasync takes longer than nothing: the threshold stands in for a slow disk.
            log.SlowSyncThreshold = TimeSpan.Zero;
            log.Save(new HardState { Term = 1, Commit = 1 }, [new Entry { Index = 1, Term = 1 }], sync: true);
            log.SlowSyncThreshold = TimeSpan.FromHours(1);
            log.Save(new HardState { Term = 1, Commit = 2 }, [new Entry { Index = 2, Term = 1 }], sync: true);
        }
        var lines = File.ReadAllLines(logPath).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var line = Assert.Single(lines);
        Assert.Equal("warn", line.GetProperty("level").GetString());
        Assert.Equal("slow fdatasync", line.GetProperty("msg").GetString());
        Assert.EndsWith("s", line.GetProperty("took").GetString(), StringComparison.Ordinal);
        Assert.Equal("0s", line.GetProperty("expected-duration").GetString());
    }
}
