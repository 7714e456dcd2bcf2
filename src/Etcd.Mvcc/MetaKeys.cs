using System.Buffers.Binary;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc;

/// <summary>
/// Names and encodings of the store's entries in <c>Bucket.Meta</c>. The names are etcd's, so a
/// backend can be inspected with the same expectations; the values are on disk: never change them.
/// </summary>
internal static class MetaKeys
{
    /// <summary>Last applied Raft index, 8 bytes big-endian.</summary>
    public static ReadOnlySpan<byte> ConsistentIndex => "consistent_index"u8;

    /// <summary>Raft term of the last applied entry, 8 bytes big-endian.</summary>
    public static ReadOnlySpan<byte> Term => "term"u8;

    /// <summary>Revision of the newest requested compaction, as revision key bytes.</summary>
    public static ReadOnlySpan<byte> ScheduledCompact => "scheduledCompactRev"u8;

    /// <summary>Revision of the newest compaction whose records are gone from the backend.</summary>
    public static ReadOnlySpan<byte> FinishedCompact => "finishedCompactRev"u8;

    public static void PutUInt64(IBackendBatch batch, ReadOnlySpan<byte> name, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        batch.Put(Bucket.Meta, name, bytes);
    }

    public static ulong GetUInt64(IBackendReader reader, ReadOnlySpan<byte> name)
    {
        byte[]? bytes = reader.Get(Bucket.Meta, name);
        return bytes is null ? 0 : BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    public static void PutRevision(IBackendBatch batch, ReadOnlySpan<byte> name, long main)
    {
        Span<byte> bytes = stackalloc byte[RevisionKey.Length];
        RevisionKey.WriteLowerBound(bytes, main);
        batch.Put(Bucket.Meta, name, bytes);
    }

    /// <summary>The main revision stored under <paramref name="name"/>, or null when absent.</summary>
    public static long? GetRevision(IBackendReader reader, ReadOnlySpan<byte> name)
    {
        byte[]? bytes = reader.Get(Bucket.Meta, name);
        return bytes is null ? null : RevisionKey.Read(bytes).Main;
    }
}
