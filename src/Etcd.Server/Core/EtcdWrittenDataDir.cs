namespace Etcd.Server.Core;

/// <summary>
/// A data dir written by etcd itself (the seeds swap binaries over --data-dir=/var/lib/etcd):
/// etcd's backend member/snap/db is a bbolt file where ours is a RocksDB directory, and its WAL
/// is not ours. Such a dir is never opened, written or half-read; the way in is a restore of its db.
/// </summary>
public static class EtcdWrittenDataDir
{
    public static bool Is(string dataDir) => File.Exists(DbPath(dataDir));

    public static string DbPath(string dataDir) => Path.Combine(dataDir, "member", "snap", "db");

    /// <summary>What to tell the operator: how to bring the data over.</summary>
    public static string Explain(string dataDir) =>
        $"data-dir {dataDir} was written by etcd (member/snap/db is a bbolt file), which this etcd does not run on; " +
        $"restore its data into a new data dir with: etcdutl snapshot restore {DbPath(dataDir)} --skip-hash-check " +
        "--data-dir <new-data-dir> --name <name> --initial-cluster <name=peer-url,...> --initial-advertise-peer-urls <peer-url>, " +
        "then start this etcd with --data-dir <new-data-dir>";
}
