using Etcd.Api.Text;
using Etcd.Server.Logging;

namespace Etcd.Server.Compaction;

/// <summary>
/// etcd's periodic compactor, one step per <see cref="Interval"/>: it samples the revision every
/// tenth of the period (of an hour for periods above an hour), keeps one period's worth of
/// samples, and once a period has passed since the last success compacts at the oldest sample:
/// the revision of one period ago. After the first compaction it compacts every period (at most
/// hourly); a failure is retried on the next step. Followers sample but do not compact.
/// </summary>
public sealed class PeriodicCompactor
{
    private readonly TimeSpan _period;
    private readonly ICompactionTarget _target;
    private readonly TimeProvider _clock;
    private readonly ZapLogger? _logger;
    private readonly Queue<long> _samples = new();
    private readonly int _retentions;
    private long _lastSuccess;
    private TimeSpan _wait;

    public PeriodicCompactor(TimeSpan period, ICompactionTarget target, TimeProvider clock, ZapLogger? logger)
    {
        _period = period;
        _target = target;
        _clock = clock;
        _logger = logger;
        var capped = period > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : period;
        Interval = capped / 10;
        _retentions = (int)(period / Interval) + 1;
        _lastSuccess = clock.GetTimestamp();
        _wait = period;
        Sample();
    }

    /// <summary>Time between two steps (etcd's retry interval).</summary>
    public TimeSpan Interval { get; }

    /// <summary>The revision compacted last, 0 before the first.</summary>
    public long LastCompacted { get; private set; }

    /// <summary>One step, run an <see cref="Interval"/> after the previous one.</summary>
    public async Task StepAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_target.IsLeader && _clock.GetElapsedTime(_lastSuccess) >= _wait)
            {
                // The first compaction waits the whole period; later ones come every period, at most hourly.
                if (_wait == _period) _wait = _period > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : _period;
                await CompactAsync(_samples.Peek(), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Sample();
        }
    }

    private async Task CompactAsync(long revision, CancellationToken cancellationToken)
    {
        _logger?.Info("starting auto periodic compaction", LogField.Of("revision", revision), LogField.Of("compact-period", GoDuration.Format(_period)));
        var started = _clock.GetTimestamp();
        try
        {
            await _target.CompactAsync(revision, cancellationToken).ConfigureAwait(false);
        }
        catch (Api.EtcdException e) when (!e.Is(Api.EtcdErrors.Compacted))
        {
            _logger?.Warn("failed auto periodic compaction", LogField.Of("revision", revision), LogField.Of("compact-period", GoDuration.Format(_period)),
                LogField.Of("retry-interval", GoDuration.Format(Interval)), LogField.Of("error", e.Message));
            return;
        }
        catch (Api.EtcdException)
        {
            // Compacted that far already (by a client, say): done, as etcd counts it.
        }
        LastCompacted = revision;
        _logger?.Info("completed auto periodic compaction", LogField.Of("revision", revision), LogField.Of("compact-period", GoDuration.Format(_period)),
            LogField.Of("took", GoDuration.Format(_clock.GetElapsedTime(started))));
        _lastSuccess = _clock.GetTimestamp();
    }

    private void Sample()
    {
        _samples.Enqueue(_target.CurrentRevision);
        if (_samples.Count > _retentions) _samples.Dequeue();
    }
}
