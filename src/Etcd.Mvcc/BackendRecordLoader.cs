using Etcd.Api.Mvccpb;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc;

/// <summary>Reads past records from a backend view.</summary>
internal sealed class BackendRecordLoader(IBackendReader reader) : IRecordLoader
{
    public KeyValue Load(Revision revision)
    {
        Span<byte> key = stackalloc byte[RevisionKey.Length];
        RevisionKey.Write(key, revision, tombstone: false);
        byte[] value = reader.Get(Bucket.Key, key)
            ?? throw new InvalidOperationException($"the index names revision {revision} but the backend has no record of it");
        return KeyValue.Parser.ParseFrom(value);
    }
}
