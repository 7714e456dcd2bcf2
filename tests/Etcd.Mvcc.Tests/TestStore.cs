using Etcd.Api.Etcdserverpb;
using Etcd.Storage.Backend;
using Etcd.Storage.Backend.Memory;
using Google.Protobuf;

namespace Etcd.Mvcc.Tests;

/// <summary>A KvStore on a MemoryBackend with one-request-per-batch shortcuts for tests.</summary>
internal sealed class TestStore : IDisposable
{
    public TestStore(ILeaseLookup? leases = null, int maxCachedValueBytes = KvStore.DefaultMaxCachedValueBytes, bool compactInline = false)
    {
        Leases = leases;
        MaxCachedValueBytes = maxCachedValueBytes;
        CompactInline = compactInline;
        Store = new KvStore(Backend, leases, maxCachedValueBytes, compactInline);
    }

    public bool CompactInline { get; }

    /// <summary>Both ways the index can hold a newest record: with its value, and without (read from the backend).</summary>
    public static TheoryData<int> ValueCaching => [KvStore.DefaultMaxCachedValueBytes, 0];

    public int MaxCachedValueBytes { get; }

    public MemoryBackend Backend { get; } = new();

    public ILeaseLookup? Leases { get; }

    public KvStore Store { get; private set; }

    public static ByteString B(string text) => ByteString.CopyFromUtf8(text);

    public PutResponse Put(string key, string value, long lease = 0, bool prevKv = false) =>
        Apply(batch => batch.Put(new PutRequest { Key = B(key), Value = B(value), Lease = lease, PrevKv = prevKv }));

    public DeleteRangeResponse Delete(string key, string? rangeEnd = null, bool prevKv = false) =>
        Apply(batch => batch.DeleteRange(new DeleteRangeRequest { Key = B(key), RangeEnd = B(rangeEnd ?? ""), PrevKv = prevKv }));

    public TxnResponse Txn(TxnRequest request) => Apply(batch => batch.Txn(request));

    public CompactionResponse Compact(long revision) =>
        Apply(batch => batch.Compact(new CompactionRequest { Revision = revision }));

    public T Apply<T>(Func<ApplyBatch, T> operation)
    {
        using ApplyBatch batch = Store.BeginApply();
        T result = operation(batch);
        batch.Commit();
        return result;
    }

    public RangeResponse Get(string key, string? rangeEnd = null, long revision = 0) =>
        Store.Range(new RangeRequest { Key = B(key), RangeEnd = B(rangeEnd ?? ""), Revision = revision });

    /// <summary>The values of the range as "key=value" strings, in response order.</summary>
    public string[] Values(RangeRequest request)
    {
        RangeResponse response = Store.Range(request);
        var values = new string[response.Kvs.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = $"{response.Kvs[i].Key.ToStringUtf8()}={response.Kvs[i].Value.ToStringUtf8()}";
        }
        return values;
    }

    /// <summary>The backend keys of all records as "main_sub", with "t" for a deletion, in backend order.</summary>
    public List<string> RecordKeys()
    {
        var keys = new List<string>();
        using IBackendSnapshot snapshot = Backend.Snapshot();
        snapshot.Scan(Bucket.Key, [], [], (key, _) =>
        {
            Revision revision = RevisionKey.Read(key);
            keys.Add($"{revision.Main}_{revision.Sub}{(RevisionKey.IsTombstone(key) ? "t" : "")}");
            return true;
        });
        return keys;
    }

    /// <summary>Closes the store and opens a new one on the same backend, as a restart does.</summary>
    public void Reopen()
    {
        Store.Dispose();
        Store = new KvStore(Backend, Leases, MaxCachedValueBytes, CompactInline);
    }

    public void Dispose()
    {
        Store.Dispose();
        Backend.Dispose();
    }
}
