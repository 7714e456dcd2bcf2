using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Core;
using Etcd.Server.Logging;

namespace Etcd.Server.Corruption;

/// <summary>
/// --experimental-corrupt-check-time, as etcd's leader runs it: every interval the leader hashes its
/// keys, asks each peer for its hash at that revision, confirms it still leads (a linearizable read
/// barrier) and hashes again. A follower ahead of the leader, a follower compacted further, a
/// follower with another hash at the same compaction, or a local hash that changed under the same
/// revision, raises the CORRUPT alarm through Raft. From then on every member refuses writes
/// (etcd's corrupt applier) until an operator disarms it. The alarm names member 0, as etcd 3.4.23's
/// does: the check cannot tell which side is corrupt; the warning it logs names the peer.
/// </summary>
public sealed class PeriodicCorruptCheck : IAsyncDisposable
{
    private readonly Func<EtcdServer> _server;
    private readonly ZapLogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PeriodicCorruptCheck(TimeSpan interval, Func<EtcdServer> server, TimeProvider clock, ZapLogger logger)
    {
        _server = server;
        _logger = logger;
        _loop = RunAsync(interval, clock, _stop.Token);
    }

    /// <summary>Starts the check; none when the interval is zero (etcd's default: off).</summary>
    public static PeriodicCorruptCheck? Start(TimeSpan interval, ulong localId, Func<EtcdServer> server, TimeProvider clock, ZapLogger logger)
    {
        if (interval <= TimeSpan.Zero) return null;
        logger.Info("enabled corruption checking", LogField.Of("local-member-id", $"{localId:x}"), LogField.Of("interval", Etcd.Api.Text.GoDuration.Format(interval)));
        return new PeriodicCorruptCheck(interval, server, clock, logger);
    }

    private async Task RunAsync(TimeSpan interval, TimeProvider clock, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stop).ConfigureAwait(false);
                var server = _server();
                if (server.Raft.IsLeader) await CheckAsync(server, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Lost leadership, a timeout, a peer that went away: the next interval tries again.
                _logger.Warn("failed to check hash KV", LogField.Of("error", e.Message));
            }
        }
    }

    private async Task CheckAsync(EtcdServer server, CancellationToken stop)
    {
        var before = server.Kv.HashKV(0);
        var peers = await server.PeerHashes.AskAllAsync(before.CurrentRevision, stop).ConfigureAwait(false);
        await server.WaitLinearizableAsync(stop).ConfigureAwait(false);
        var after = server.Kv.HashKV(0);
        if (Judge(before, after, peers, _logger))
        {
            var alarm = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Activate, MemberID = 0, Alarm = AlarmType.Corrupt };
            await server.ProposeAsync(new InternalRaftRequest { Alarm = alarm }, stop).ConfigureAwait(false);
        }
        var checkedCount = 0;
        foreach (var peer in peers)
        {
            if (peer.Error is null) checkedCount++;
        }
        _logger.Info("finished peer corruption check", LogField.Of("number-of-peers-checked", checkedCount));
    }

    /// <summary>
    /// etcd's leader-side rules: true when the hashes show an inconsistency. <paramref name="before"/>
    /// is the leader's hash the peers were asked at, <paramref name="after"/> the one after the read
    /// barrier; peers that did not answer are left out.
    /// </summary>
    public static bool Judge(KvHash before, KvHash after, IReadOnlyList<PeerHash> peers, ZapLogger? logger)
    {
        var mismatch = false;
        if (after.Hash != before.Hash && after.CurrentRevision == before.CurrentRevision && after.CompactRevision == before.CompactRevision)
        {
            logger?.Warn("found hash mismatch", LogField.Of("revision-1", before.CurrentRevision), LogField.Of("compact-revision-1", before.CompactRevision),
                LogField.Of("hash-1", (long)before.Hash), LogField.Of("revision-2", after.CurrentRevision), LogField.Of("compact-revision-2", after.CompactRevision),
                LogField.Of("hash-2", (long)after.Hash));
            mismatch = true;
        }
        foreach (var peer in peers)
        {
            if (peer.Error is not null) continue;
            var id = $"{peer.MemberId:x}";
            if (peer.Revision > after.CurrentRevision)
            {
                logger?.Warn("revision from follower must be less than or equal to leader's", LogField.Of("leader-revision", after.CurrentRevision),
                    LogField.Of("follower-revision", peer.Revision), LogField.Of("follower-peer-id", id));
                mismatch = true;
            }
            if (peer.CompactRevision > after.CompactRevision)
            {
                logger?.Warn("compact revision from follower must be less than or equal to leader's", LogField.Of("leader-compact-revision", after.CompactRevision),
                    LogField.Of("follower-compact-revision", peer.CompactRevision), LogField.Of("follower-peer-id", id));
                mismatch = true;
            }
            if (peer.CompactRevision == before.CompactRevision && peer.Hash != before.Hash)
            {
                logger?.Warn("same compact revision then hashes must match", LogField.Of("leader-compact-revision", after.CompactRevision),
                    LogField.Of("leader-hash", (long)before.Hash), LogField.Of("follower-compact-revision", peer.CompactRevision),
                    LogField.Of("follower-hash", (long)peer.Hash), LogField.Of("follower-peer-id", id));
                mismatch = true;
            }
        }
        return mismatch;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
