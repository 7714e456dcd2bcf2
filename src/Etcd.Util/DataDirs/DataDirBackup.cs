using System.Text.RegularExpressions;
using Etcd.Api.Etcdserverpb;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Replication;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.RocksDb;

namespace Etcd.Util.DataDirs;

/// <summary>
/// etcd's legacy offline backup of a stopped member's data dir, for both etcdutl backup and
/// etcdctl v2 backup. As etcd's: the newest snapshot is copied; the WAL after it is rewritten
/// without configuration changes and member attribute updates (and without v3 entries unless
/// --with-v3), renumbered; the backend is copied without the member and cluster buckets (without
/// --with-v3, only the v2 store is kept, which is where ours keeps it); and the copy gets fresh
/// random member and cluster ids. The result is meant to be started with --force-new-cluster.
/// The copy is written beside the backup dir and renamed into place at the end.
/// </summary>
public static partial class DataDirBackup
{
    public static void Run(BackupOptions options, ZapLogger logger)
    {
        if (options.DataDir.Length == 0) throw new UtilException("--data-dir is required");
        if (options.BackupDir.Length == 0) throw new UtilException("--backup-dir is required");
        if (Path.Exists(options.BackupDir) && Directory.EnumerateFileSystemEntries(options.BackupDir).Any())
        {
            throw new UtilException($"backup-dir \"{options.BackupDir}\" exists and is not empty");
        }
        var source = new MemberDataDir(options.DataDir, options.WalDir);
        source.Check();
        var staging = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.BackupDir))!, $".{Path.GetFileName(Path.GetFullPath(options.BackupDir))}.backup-{Guid.NewGuid():N}");
        var walStaging = options.BackupWalDir.Length > 0 ? staging + ".wal" : Path.Combine(staging, "member", "wal");
        try
        {
            var snapDir = Path.Combine(staging, "member", "snap");
            Directory.CreateDirectory(snapDir);
            // Backend first: opening it takes RocksDB's lock, so a running member is refused before anything else is read.
            using (var backend = source.OpenBackend(logger))
            {
                CopyBackend(backend, Path.Combine(snapDir, "db"), options.WithV3);
            }
            var recovered = WalRaftLog.Open(source.WalDir, source.SnapDir, fsync: false, maxSnapshots: int.MaxValue);
            Metadata metadata;
            Snapshot? snapshot;
            HardState state;
            List<Entry> entries;
            using (recovered.Log)
            {
                metadata = recovered.Metadata;
                snapshot = recovered.Snapshot;
                state = recovered.HardState ?? new HardState();
                entries = Filter(recovered.Entries, state, options.WithV3, logger);
            }
            metadata = new Metadata { NodeID = RandomId(), ClusterID = RandomId() };
            using (var log = WalRaftLog.Create(walStaging, snapDir, metadata, fsync: true, maxSnapshots: int.MaxValue))
            {
                if (snapshot is not null) log.SaveSnapshot(snapshot);
                log.Save(state, entries, sync: true);
            }
            if (options.BackupWalDir.Length > 0) Directory.Move(walStaging, options.BackupWalDir);
            if (Directory.Exists(options.BackupDir)) Directory.Delete(options.BackupDir);
            Directory.Move(staging, options.BackupDir);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            if (options.BackupWalDir.Length > 0 && Directory.Exists(walStaging)) Directory.Delete(walStaging, recursive: true);
        }
    }

    private static void CopyBackend(IBackend source, string destination, bool withV3)
    {
        using var target = RocksDbBackend.Open(destination);
        using var view = source.Snapshot();
        var batch = target.CreateBatch();
        try
        {
            foreach (var bucket in Enum.GetValues<Bucket>())
            {
                // Membership is dropped (the copy becomes a new cluster); without v3 only the v2 store stays.
                if (bucket is Bucket.Members or Bucket.MembersRemoved or Bucket.Cluster) continue;
                if (!withV3 && bucket != Bucket.V2Store) continue;
                view.Scan(bucket, [], [], (key, value) =>
                {
                    batch.Put(bucket, key, value);
                    if (batch.Count >= 4096) target.Commit(batch);
                    return true;
                });
            }
            target.Commit(batch, sync: true);
        }
        finally
        {
            batch.Dispose();
        }
    }

    private static List<Entry> Filter(IReadOnlyList<Entry> entries, HardState state, bool withV3, ZapLogger logger)
    {
        var kept = new List<Entry>(entries.Count);
        ulong removed = 0;
        foreach (var original in entries)
        {
            var entry = original.Clone();
            entry.Index -= removed;
            if (Drop(entry, withV3, logger))
            {
                removed++;
                continue;
            }
            kept.Add(entry);
        }
        state.Commit -= Math.Min(state.Commit, removed);
        return kept;
    }

    private static bool Drop(Entry entry, bool withV3, ZapLogger logger)
    {
        if (entry.Type is EntryType.EntryConfChange or EntryType.EntryConfChangeV2)
        {
            logger.Info("ignoring EntryConfChange raft entry");
            return true;
        }
        if (entry.Data.IsEmpty) return false;
        Request? v2;
        InternalRaftRequest? request = null;
        try
        {
            request = InternalRaftRequest.Parser.ParseFrom(entry.Data);
            v2 = request.V2;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            v2 = Request.Parser.ParseFrom(entry.Data);
        }
        if (v2 is not null && v2.Method == "PUT" && MemberAttributes().IsMatch(v2.Path))
        {
            logger.Info("ignoring member attribute update on " + v2.Path);
            return true;
        }
        if (v2 is not null || withV3 || request?.Header is null) return false;
        logger.Info("ignoring v3 raft entry");
        return true;
    }

    private static ulong RandomId() => BitConverter.ToUInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) | 1;

    [GeneratedRegex("^/0/members/[0-9a-fA-F]{1,16}/attributes$")]
    private static partial Regex MemberAttributes();
}
