using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;
using Etcd.Server.Logging;

namespace Etcd.Server.Corruption;

/// <summary>
/// --experimental-initial-corrupt-check, as etcd runs it before serving: the local KV hash at the
/// current revision is compared with each peer's hash at the same revision (asked over the peer
/// API, <see cref="PeerHashes"/>, as etcd asks its peers' URLs). A different hash with the same compact
/// revision is data inconsistency and stops the start; a peer that cannot answer (unreachable,
/// behind, compacted further) is only logged.
/// </summary>
public static class InitialCorruptCheck
{
    public static async Task RunAsync(EtcdServer server, ZapLogger logger)
    {
        var local = server.MemberId;
        logger.Info("starting initial corruption check", LogField.Of("local-member-id", $"{local:x}"), LogField.Of("timeout", Etcd.Api.Text.GoDuration.Format(server.RequestTimeout)));
        var hash = server.Kv.HashKV(0);
        var peers = await server.PeerHashes.AskAllAsync(hash.CurrentRevision, CancellationToken.None).ConfigureAwait(false);
        var error = Judge(local, hash.Hash, hash.CompactRevision, hash.CurrentRevision, peers, logger);
        if (error is not null) throw new BootstrapException(error);
        logger.Info("initial corruption checking passed; no corruption", LogField.Of("local-member-id", $"{local:x}"));
    }

    /// <summary>The start-up error when a peer has a different hash at the same compact revision, else null (etcd's rule).</summary>
    public static string? Judge(ulong local, uint hash, long compactRevision, long revision, IReadOnlyList<PeerHash> peers, ZapLogger? logger)
    {
        var mismatches = 0;
        foreach (var peer in peers)
        {
            var remote = $"{peer.MemberId:x}";
            if (peer.Error is { } error)
            {
                logger?.Warn("cannot fetch hash from remote peer", LogField.Of("local-member-id", $"{local:x}"), LogField.Of("remote-peer-id", remote), LogField.Of("error", error));
                continue;
            }
            if (peer.Hash == hash) continue;
            if (peer.CompactRevision == compactRevision)
            {
                logger?.Warn("found different hash values from remote peer", LogField.Of("local-member-revision", revision), LogField.Of("local-member-hash", (long)hash),
                    LogField.Of("remote-peer-id", remote), LogField.Of("remote-peer-hash", (long)peer.Hash));
                mismatches++;
            }
            else
            {
                logger?.Warn("found different compact revision values from remote peer", LogField.Of("local-member-compact-revision", compactRevision),
                    LogField.Of("remote-peer-id", remote), LogField.Of("remote-peer-compact-revision", peer.CompactRevision));
            }
        }
        return mismatches > 0 ? $"{local:x} found data inconsistency with peers" : null;
    }
}
