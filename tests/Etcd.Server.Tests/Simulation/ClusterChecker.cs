using System.Security.Cryptography;
using Etcd.Storage.Backend;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Checks made while the cluster runs: whenever a member's applied index moves, the store's
/// revision there must be the one every other member had at that index, the backend's consistent
/// index must be the applier's (they are committed in one batch), and, at every fourth index,
/// the whole backend (keys at every revision, leases, auth, alarms, members, the v2 tree, meta)
/// must be byte for byte what every other member held at that index.
/// </summary>
internal sealed class ClusterChecker(ClusterSimStats stats)
{
    private const int DigestEvery = 4;
    private static readonly Bucket[] Buckets = Enum.GetValues<Bucket>();
    private readonly Dictionary<ulong, (long Revision, ulong Member)> _revisionAt = [];
    private readonly Dictionary<ulong, (string Digest, ulong Member)> _digestAt = [];

    public void OnApplied(SimMember member)
    {
        var index = member.AppliedIndex;
        var kv = member.Kv;
        if (kv.ConsistentIndex != index)
            throw new ClusterSimFailure($"member {member.Id}: the backend's consistent index is {kv.ConsistentIndex}, the applier's applied index {index}");
        var revision = kv.CurrentRevision;
        if (_revisionAt.TryGetValue(index, out var seen))
        {
            if (seen.Revision != revision)
                throw new ClusterSimFailure($"member {member.Id} is at revision {revision} after applying index {index}, member {seen.Member} was at {seen.Revision}");
        }
        else
        {
            _revisionAt[index] = (revision, member.Id);
        }
        if (index % DigestEvery != 0) return;
        var digest = Digest(member.State.Backend);
        if (_digestAt.TryGetValue(index, out var other))
        {
            stats.DigestsCompared++;
            if (other.Digest != digest)
                throw new ClusterSimFailure($"member {member.Id}'s backend at applied index {index} differs from member {other.Member}'s at that index:\n  {digest}\n  {other.Digest}");
            return;
        }
        _digestAt[index] = (digest, member.Id);
    }

    /// <summary>A hash of every pair of every bucket, in order: one per bucket, named.</summary>
    public static string Digest(IBackend backend)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var view = backend.Snapshot();
        var digest = new System.Text.StringBuilder();
        foreach (var bucket in Buckets)
        {
            view.Scan(bucket, [], [], (key, value) =>
            {
                // The one member-local entry: written when this member last flushed.
                if (bucket == Bucket.Meta && key.SequenceEqual("flushedIndex"u8)) return true;
                Span<byte> header = stackalloc byte[9];
                header[0] = (byte)bucket;
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header[1..], key.Length);
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(header[5..], value.Length);
                hash.AppendData(header);
                hash.AppendData(key);
                hash.AppendData(value);
                return true;
            });
            digest.Append(bucket).Append('=').Append(Convert.ToHexString(hash.GetHashAndReset().AsSpan(0, 6))).Append(' ');
        }
        return digest.ToString();
    }
}
