using Etcd.Server.Logging;

namespace Etcd.Server.Compaction;

/// <summary>Runs the configured compactor on its interval until the member stops.</summary>
public sealed class AutoCompaction : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private AutoCompaction(TimeSpan interval, Func<CancellationToken, Task> step, TimeProvider clock, ZapLogger logger)
    {
        _loop = RunAsync(interval, step, clock, logger, _stop.Token);
    }

    /// <summary>Starts the compactor the retention asks for, or none when it is off.</summary>
    public static AutoCompaction? Start(CompactionRetention retention, ICompactionTarget target, TimeProvider clock, ZapLogger logger)
    {
        if (!retention.Enabled) return null;
        if (retention.Mode == "periodic")
        {
            var periodic = new PeriodicCompactor(retention.Period, target, clock, logger);
            logger.Info("auto compaction", LogField.Of("mode", "periodic"), LogField.Of("retention", Etcd.Api.Text.GoDuration.Format(retention.Period)));
            return new AutoCompaction(periodic.Interval, periodic.StepAsync, clock, logger);
        }
        var revision = new RevisionCompactor(retention.Revisions, target, clock, logger);
        logger.Info("auto compaction", LogField.Of("mode", "revision"), LogField.Of("retention", retention.Revisions));
        return new AutoCompaction(RevisionCompactor.Interval, revision.StepAsync, clock, logger);
    }

    private static async Task RunAsync(TimeSpan interval, Func<CancellationToken, Task> step, TimeProvider clock, ZapLogger logger, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stop).ConfigureAwait(false);
                await step(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A compaction that fails for any other reason is tried again on the next step, as etcd's compactor retries.
                logger.Warn("auto compaction step failed", LogField.Of("error", e.Message));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
