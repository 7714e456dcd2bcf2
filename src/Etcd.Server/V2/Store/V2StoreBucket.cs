using System.Buffers.Binary;
using System.Text;
using Etcd.Mvcc;
using Etcd.Storage.Backend;

namespace Etcd.Server.V2.Store;

/// <summary>
/// How the v2 store survives a crash and reaches members by snapshot. etcd 3.4 keeps the tree
/// in memory and saves it as JSON inside each Raft snapshot, replaying the WAL after it on
/// restart. Here the backend is the state machine's only durable copy (the WAL replay starts
/// after the backend's applied index), so the tree lives in the backend's V2Store bucket: one
/// entry per node, keyed by its path, plus the store index under a key no path can have
/// (paths start with '/'). The changes of each applied entry go into the entry's own apply
/// batch, with the applied index, so a crash keeps both or neither; and a backend sent with a
/// snapshot carries the tree with it.
/// </summary>
public static class V2StoreBucket
{
    private static readonly byte[] IndexKey = "index"u8.ToArray();

    /// <summary>Writes what the store changed since the last call, and its index, into the apply batch.</summary>
    public static void Persist(ApplyBatch batch, V2Store store)
    {
        if (store.Changes.Count == 0) return;
        store.Changes.Drain((path, node) =>
        {
            var key = Encoding.UTF8.GetBytes(path);
            if (node is null) batch.DeleteBucketEntry(Bucket.V2Store, key);
            else batch.PutBucketEntry(Bucket.V2Store, key, V2NodeRecord.Of(node).Encode());
        });
        Span<byte> index = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(index, store.Index);
        batch.PutBucketEntry(Bucket.V2Store, IndexKey, index);
    }

    /// <summary>Rebuilds the store from the backend (parents sort before their children: a path is a prefix of its children's).</summary>
    public static void Load(IBackendReader reader, V2Store store)
    {
        var records = new List<V2NodeRecord>();
        ulong index = 0;
        reader.Scan(Bucket.V2Store, [], [], (key, value) =>
        {
            if (key.SequenceEqual(IndexKey)) index = BinaryPrimitives.ReadUInt64LittleEndian(value);
            else records.Add(V2NodeRecord.Decode(Encoding.UTF8.GetString(key), value));
            return true;
        });
        store.Restore(records, index);
    }
}
