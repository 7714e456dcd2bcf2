using Etcd.Api.Etcdserverpb;
using Etcd.Bbolt;
using Etcd.Raft.Raftpb;
using Etcd.Server.Configuration;
using Etcd.Server.Membership;
using Etcd.Server.Replication;
using Etcd.Server.Snapshots;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;
using Etcd.Storage.Durability;
using Google.Protobuf;
using Member = Etcd.Server.Membership.Member;

namespace Etcd.Util.Snapshots;

/// <summary>
/// etcd's snapshot restore into our data dir layout: the snapshot's key space, leases, auth,
/// alarms and compaction state go into a fresh backend (<c>member/snap/db</c>); the old membership
/// and consistent index do not. A WAL is written for the new cluster as etcd's restore writes one:
/// one committed ConfChange entry per member of --initial-cluster (term 1), so the member's first
/// start applies them and knows its cluster, whose id derives from the new member ids.
/// <para>Everything is written into temporary directories beside the targets and renamed into
/// place at the end: a failed restore leaves no data dir behind, and never touches an existing one.</para>
/// </summary>
public static class SnapshotRestore
{
    private const int BatchPairs = 4096;

    /// <param name="started">Called once the flags and targets checked out, before anything is read or written (etcd logs "restoring snapshot" there).</param>
    public static RestoreResult Run(RestoreOptions options, Action<string>? progress = null, Action? started = null)
    {
        var (self, members) = CheckCluster(options);
        var dataDir = options.DataDir.Length > 0 ? options.DataDir : options.Name + ".etcd";
        if (Path.Exists(dataDir)) throw new UtilException($"data-dir \"{dataDir}\" exists");
        var separateWal = options.WalDir.Length > 0 && Path.GetFullPath(options.WalDir) != Path.GetFullPath(Path.Combine(dataDir, "member", "wal"));
        if (separateWal && Path.Exists(options.WalDir)) throw new UtilException($"wal-dir \"{options.WalDir}\" exists");
        started?.Invoke();

        var file = SnapshotFile.Open(options.SnapshotPath);
        file.VerifyHash(options.SkipHashCheck, done => progress?.Invoke($"checking hash: {done * 100 / Math.Max(1, file.DbLength)}%"));
        var staging = StagingPath(dataDir);
        var walStaging = separateWal ? StagingPath(options.WalDir) : null;
        try
        {
            var snapDir = Path.Combine(staging, "member", "snap");
            Directory.CreateDirectory(snapDir);
            long pairs;
            using (var db = file.OpenDb())
            {
                pairs = Import(db, Path.Combine(snapDir, "db"), progress);
            }
            var walDir = walStaging ?? Path.Combine(staging, "member", "wal");
            var clusterId = MemberIdentity.ClusterId(members.Select(m => m.Id));
            WriteWal(walDir, snapDir, self.Id, clusterId, members);
            if (walStaging is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.WalDir))!);
                Directory.Move(walStaging, options.WalDir);
            }
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(dataDir))!);
            Directory.Move(staging, dataDir);
            DirectorySync.Flush(Path.GetDirectoryName(Path.GetFullPath(dataDir))!);
            return new RestoreResult(dataDir, separateWal ? options.WalDir : Path.Combine(dataDir, "member", "wal"), self.Id, clusterId, pairs);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (walStaging is not null && Directory.Exists(walStaging)) Directory.Delete(walStaging, recursive: true);
        }
    }

    /// <summary>etcd's bootstrap checks of the new cluster (VerifyBootstrap), with its messages.</summary>
    private static (Member Self, List<Member> Members) CheckCluster(RestoreOptions options)
    {
        IReadOnlyList<Member> listed;
        IReadOnlyList<Uri> advertised;
        try
        {
            listed = InitialCluster.Parse(options.InitialCluster, options.InitialClusterToken);
            advertised = [.. options.InitialAdvertisePeerUrls.Split(',').Select(u => new Uri(u, UriKind.Absolute))];
        }
        catch (FlagError e)
        {
            throw new UtilException(e.Message);
        }
        catch (UriFormatException e)
        {
            throw new UtilException($"parse \"{options.InitialAdvertisePeerUrls}\": {e.Message}");
        }
        var config = new EtcdConfig
        {
            Name = options.Name,
            DataDir = options.DataDir,
            WalDir = options.WalDir,
            ListenClientUrls = [],
            ListenClientHttpUrls = [],
            AdvertiseClientUrls = [],
            ListenPeerUrls = [],
            InitialAdvertisePeerUrls = advertised,
            ListenMetricsUrls = [],
            InitialCluster = options.InitialCluster,
            InitialClusterState = "new",
            InitialClusterToken = options.InitialClusterToken,
            AutoCompactionRetention = "0",
            AutoCompactionMode = "periodic",
            Logger = "zap",
            LogLevel = "info",
            LogOutputs = [],
        };
        try
        {
            var self = InitialClusterCheck.ForNewCluster(config, listed);
            var members = listed.OrderBy(m => m.Id).ToList();
            return (self, members);
        }
        catch (Etcd.Server.Core.BootstrapException e)
        {
            throw new UtilException(e.Message);
        }
    }

    /// <summary>
    /// Copies the snapshot's buckets into a new backend at <paramref name="path"/>. Left out, as
    /// etcd's restore leaves them out: the old members, and the consistent index and term (the
    /// new cluster's log starts at 1). Compaction revisions, leases, auth and alarms stay.
    /// </summary>
    private static long Import(BboltReader db, string path, Action<string>? progress)
    {
        var buckets = new List<(Bucket Bucket, BboltBucket Source)>();
        db.ForEach(db.Root, (name, value, isBucket) =>
        {
            if (isBucket && EtcdDbBuckets.Find(name) is { } bucket && bucket is not (Bucket.Members or Bucket.MembersRemoved))
            {
                buckets.Add((bucket, BboltBucket.Parse(value)));
            }
            return true;
        });
        long pairs = 0;
        using var backend = RocksDbBackend.Open(path);
        var batch = backend.CreateBatch();
        try
        {
            foreach (var (bucket, source) in buckets)
            {
                db.ForEach(source, (key, value, isBucket) =>
                {
                    if (isBucket) return true;
                    if (bucket == Bucket.Meta && (!EtcdDbBuckets.IsEtcdMetaKey(key) || key.SequenceEqual("consistent_index"u8) || key.SequenceEqual("term"u8))) return true;
                    batch.Put(bucket, key, value);
                    if (batch.Count >= BatchPairs) backend.Commit(batch);
                    if (++pairs % 65536 == 0) progress?.Invoke($"restoring: {pairs} keys");
                    return true;
                });
            }
            backend.Commit(batch, sync: true);
        }
        finally
        {
            batch.Dispose();
        }
        return pairs;
    }

    /// <summary>The new cluster's log, as a first start of its members would write it (and as etcd's restore writes it).</summary>
    private static void WriteWal(string walDir, string snapDir, ulong localId, ulong clusterId, List<Member> members)
    {
        var entries = new List<Entry>(members.Count);
        foreach (var member in members)
        {
            var change = new ConfChange
            {
                Type = ConfChangeType.ConfChangeAddNode,
                NodeId = member.Id,
                Context = ByteString.CopyFrom(MemberContext.From(member).ToJson()),
            };
            entries.Add(new Entry { Type = EntryType.EntryConfChange, Term = 1, Index = (ulong)(entries.Count + 1), Data = change.ToByteString() });
        }
        using var log = WalRaftLog.Create(walDir, snapDir, new Metadata { NodeID = localId, ClusterID = clusterId }, fsync: true, maxSnapshots: 5);
        log.Save(new HardState { Term = 1, Vote = members[0].Id, Commit = (ulong)members.Count }, entries, sync: true);
    }

    private static string StagingPath(string target)
    {
        var full = Path.GetFullPath(target).TrimEnd(Path.DirectorySeparatorChar);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.restoring-{Guid.NewGuid():N}");
    }
}

/// <summary>What a restore made.</summary>
public sealed record RestoreResult(string DataDir, string WalDir, ulong MemberId, ulong ClusterId, long Pairs);
