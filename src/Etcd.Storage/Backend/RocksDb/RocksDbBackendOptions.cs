namespace Etcd.Storage.Backend.RocksDb;

/// <summary>
/// Memory knobs of <see cref="RocksDbBackend"/>. The defaults suit a small server: etcd itself
/// idles at about 24 MB, and RocksDB's own defaults would spend more than that on caches alone.
/// </summary>
public sealed record RocksDbBackendOptions
{
    /// <summary>Shared LRU cache for data, index and filter blocks.</summary>
    public ulong BlockCacheBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>One memtable's size; at most two exist (one filling, one flushing).</summary>
    public ulong WriteBufferBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// RocksDB's own log is cut and its memtables flushed once the log exceeds this, which bounds
    /// both its disk use and the replay time on open.
    /// </summary>
    public ulong MaxEngineLogBytes { get; init; } = 64 * 1024 * 1024;
}
