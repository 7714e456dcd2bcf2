using System.Threading.Channels;
using Etcd.Storage.Backend;

namespace Etcd.Mvcc;

/// <summary>
/// Carries out committed compactions in the background, one at a time in order: first it trims
/// the index, then it removes the records no read can reach any more from the backend, then it
/// records the compaction as finished. Reads below the compaction revision already fail from
/// the commit on; this only gives the memory and disk back.
/// </summary>
/// <remarks>
/// Work is done in bounded chunks, each holding the index lock only briefly, so that reads and
/// the applying thread interleave with a compaction of any size. A compactor made to work inline
/// does the whole compaction in <see cref="Schedule"/> instead, on the applying thread: the
/// deterministic simulator needs every write to the backend to happen at a point it chose.
/// </remarks>
internal sealed class Compactor : IDisposable
{
    /// <summary>Histories trimmed per hold of the index lock.</summary>
    private const int HistoriesPerChunk = 1000;

    /// <summary>Records removed per backend batch.</summary>
    private const int RecordsPerBatch = 1000;

    private readonly KeyIndex index;
    private readonly ReaderWriterLockSlim indexLock;
    private readonly IBackend backend;
    private readonly Channel<long> scheduled = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock waitersLock = new();
    private readonly List<(long Revision, TaskCompletionSource Done)> waiters = [];
    private readonly Task worker;
    private readonly bool inline;
    private long finishedRevision;
    private Exception? failure;

    public Compactor(KeyIndex index, ReaderWriterLockSlim indexLock, IBackend backend, long finishedRevision, bool inline = false)
    {
        this.index = index;
        this.indexLock = indexLock;
        this.backend = backend;
        this.finishedRevision = finishedRevision;
        this.inline = inline;
        worker = inline ? Task.CompletedTask : Task.Run(RunAsync);
    }

    public void Schedule(long revision)
    {
        if (!inline)
        {
            scheduled.Writer.TryWrite(revision);
            return;
        }
        Compact(revision);
    }

    private void Compact(long revision)
    {
        var kept = new HashSet<Revision>();
        CompactIndex(revision, kept);
        RemoveRecords(revision, kept);
        MarkFinished(revision);
    }

    /// <summary>Completes when a compaction at or above <paramref name="revision"/> has finished.</summary>
    public Task WhenCompacted(long revision)
    {
        lock (waitersLock)
        {
            if (failure is not null)
            {
                return Task.FromException(failure);
            }
            if (revision <= finishedRevision)
            {
                return Task.CompletedTask;
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((revision, done));
            return done.Task;
        }
    }

    public void Dispose()
    {
        scheduled.Writer.TryComplete();
        stopping.Cancel();
        try
        {
            worker.Wait();
        }
        catch (AggregateException)
        {
            // The worker records its own failure; a cancelled wait needs no report.
        }
        lock (waitersLock)
        {
            foreach ((_, TaskCompletionSource done) in waiters)
            {
                done.TrySetCanceled();
            }
            waiters.Clear();
        }
        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (long revision in scheduled.Reader.ReadAllAsync(stopping.Token).ConfigureAwait(false))
            {
                Compact(revision);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped by Dispose; an unfinished compaction resumes when the store is opened again.
        }
        catch (Exception exception)
        {
            lock (waitersLock)
            {
                failure = exception;
                foreach ((_, TaskCompletionSource done) in waiters)
                {
                    done.TrySetException(exception);
                }
                waiters.Clear();
            }
        }
    }

    private void CompactIndex(long revision, HashSet<Revision> kept)
    {
        var emptied = new List<KeyHistory>();
        byte[] from = [];
        while (true)
        {
            stopping.Token.ThrowIfCancellationRequested();
            indexLock.EnterWriteLock();
            try
            {
                int visited = 0;
                KeyHistory? last = null;
                foreach (KeyHistory history in index.Range(KeyRange.Of(from, [0])))
                {
                    history.Compact(revision, kept);
                    if (history.IsEmpty)
                    {
                        emptied.Add(history);
                    }
                    last = history;
                    if (++visited == HistoriesPerChunk)
                    {
                        break;
                    }
                }
                // Removed after the walk: the walk must not see the index change under it.
                foreach (KeyHistory history in emptied)
                {
                    index.Remove(history.Key);
                }
                emptied.Clear();
                if (visited < HistoriesPerChunk)
                {
                    return;
                }
                from = KeyAfter(last!.Key);
            }
            finally
            {
                indexLock.ExitWriteLock();
            }
        }
    }

    /// <summary>Removes every record at or below <paramref name="revision"/> that is not in <paramref name="kept"/>.</summary>
    private void RemoveRecords(long revision, HashSet<Revision> kept)
    {
        byte[] end = new byte[RevisionKey.Length];
        RevisionKey.WriteLowerBound(end, revision + 1);
        var doomed = new List<byte[]>(RecordsPerBatch);
        byte[] from = [];
        // Records at or below the revision are written by no one else, so one view serves throughout.
        using IBackendSnapshot snapshot = backend.Snapshot();
        while (true)
        {
            stopping.Token.ThrowIfCancellationRequested();
            byte[]? stoppedAt = null;
            snapshot.Scan(Bucket.Key, from, end, (key, _) =>
            {
                if (kept.Contains(RevisionKey.Read(key)))
                {
                    return true;
                }
                doomed.Add(key.ToArray());
                if (doomed.Count < RecordsPerBatch)
                {
                    return true;
                }
                stoppedAt = doomed[^1];
                return false;
            });
            if (doomed.Count > 0)
            {
                using IBackendBatch batch = backend.CreateBatch();
                foreach (byte[] key in doomed)
                {
                    batch.Delete(Bucket.Key, key);
                }
                backend.Commit(batch);
                doomed.Clear();
            }
            if (stoppedAt is null)
            {
                return;
            }
            from = KeyAfter(stoppedAt);
        }
    }

    private void MarkFinished(long revision)
    {
        using (IBackendBatch batch = backend.CreateBatch())
        {
            MetaKeys.PutRevision(batch, MetaKeys.FinishedCompact, revision);
            backend.Commit(batch);
        }
        lock (waitersLock)
        {
            finishedRevision = revision;
            for (int i = waiters.Count - 1; i >= 0; i--)
            {
                if (waiters[i].Revision <= revision)
                {
                    waiters[i].Done.TrySetResult();
                    waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The smallest byte string greater than <paramref name="key"/>.</summary>
    private static byte[] KeyAfter(byte[] key)
    {
        var next = new byte[key.Length + 1];
        key.CopyTo(next, 0);
        return next;
    }
}
