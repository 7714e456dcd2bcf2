namespace Etcd.Server.Watch;

/// <summary>
/// Periodic progress notifications for watchers created with progress_notify: every interval,
/// each such watcher that is up to date and was sent no events since the last tick gets the
/// revision it has seen everything through.
/// </summary>
public sealed partial class WatchHub
{
    private Task _progressLoop = Task.CompletedTask;

    private async Task ProgressLoopAsync()
    {
        var token = _stop.Token;
        try
        {
            using var timer = new PeriodicTimer(ProgressInterval, _time);
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false)) NotifyProgress();
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>One tick of progress notifications.</summary>
    internal void NotifyProgress()
    {
        lock (_lock)
        {
            foreach (var watcher in _progressWatchers)
            {
                // A watcher that is behind cannot be vouched for; a full session is receiving events anyway.
                if (!watcher.SentSinceProgressTick && watcher.State == WatcherState.Synced && watcher.Session.HasRoom)
                    Queue(watcher.Session, ProgressResponse(watcher.Id));
                watcher.SentSinceProgressTick = false;
            }
            PublishQueued();
        }
    }
}
