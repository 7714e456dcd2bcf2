using Etcd.Api.Text;
using Etcd.Server.Logging;

namespace Etcd.Server.Compaction;

/// <summary>
/// etcd's revision compactor: every five minutes the leader compacts at the current revision
/// minus the retention, unless that is not positive or was compacted already.
/// </summary>
public sealed class RevisionCompactor(long retention, ICompactionTarget target, TimeProvider clock, ZapLogger? logger)
{
    /// <summary>etcd's fixed interval between two checks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    public long LastCompacted { get; private set; }

    public async Task StepAsync(CancellationToken cancellationToken)
    {
        if (!target.IsLeader) return;
        var revision = target.CurrentRevision - retention;
        if (revision <= 0 || revision == LastCompacted) return;
        logger?.Info("starting auto revision compaction", LogField.Of("revision", revision), LogField.Of("revision-compaction-retention", retention));
        var started = clock.GetTimestamp();
        try
        {
            await target.CompactAsync(revision, cancellationToken).ConfigureAwait(false);
        }
        catch (Api.EtcdException e) when (!e.Is(Api.EtcdErrors.Compacted))
        {
            logger?.Warn("failed auto revision compaction", LogField.Of("revision", revision), LogField.Of("revision-compaction-retention", retention),
                LogField.Of("retry-interval", "5m0s"), LogField.Of("error", e.Message));
            return;
        }
        catch (Api.EtcdException)
        {
            // Compacted that far already (by a client, say): done, as etcd counts it.
        }
        LastCompacted = revision;
        logger?.Info("completed auto revision compaction", LogField.Of("revision", revision), LogField.Of("revision-compaction-retention", retention),
            LogField.Of("took", GoDuration.Format(clock.GetElapsedTime(started))));
    }
}
