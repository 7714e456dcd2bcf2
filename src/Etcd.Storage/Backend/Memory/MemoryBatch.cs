namespace Etcd.Storage.Backend.Memory;

/// <summary>Writes for a <see cref="MemoryBackend"/>, kept in order until commit.</summary>
internal sealed class MemoryBatch : IBackendBatch
{
    /// <summary>A put (Value set) or a delete (Value null).</summary>
    internal readonly record struct Write(Bucket Bucket, byte[] Key, byte[]? Value);

    private readonly List<Write> _writes = [];

    public int Count => _writes.Count;

    internal List<Write> Writes => _writes;

    public void Put(Bucket bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        _writes.Add(new Write(bucket, key.ToArray(), value.ToArray()));

    public void Delete(Bucket bucket, ReadOnlySpan<byte> key) =>
        _writes.Add(new Write(bucket, key.ToArray(), null));

    public void Dispose() => _writes.Clear();
}
