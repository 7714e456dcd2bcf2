namespace Etcd.Storage.Backend;

/// <summary>
/// A member's backend for its whole life, whose engine is swapped when a snapshot from the leader
/// brings a database of its own (etcd's recoverSnapshotBackend). Whoever holds this object always
/// reaches the current engine: there is no stale backend to keep by mistake.
/// </summary>
/// <remarks>
/// <see cref="Replace"/> disposes the engine it takes out. Engines close only when the calls and
/// snapshots in progress on them are done (<see cref="IBackend"/> implementations here count their
/// users), so a view taken just before the swap reads on from the old engine, consistently, and a
/// call that meets a freshly disposed engine is retried on the new one. Batches belong to the
/// engine that made them: commit them before replacing it (the applying thread does both).
/// </remarks>
public sealed class ReplaceableBackend(IBackend engine) : IBackend
{
    private readonly Lock _lock = new();
    private IBackend _engine = engine;

    /// <summary>The engine in use now.</summary>
    public IBackend Engine
    {
        get
        {
            lock (_lock) return _engine;
        }
    }

    /// <summary>Puts <paramref name="next"/> in place and disposes the engine it replaces, which is returned.</summary>
    public IBackend Replace(IBackend next)
    {
        IBackend previous;
        lock (_lock)
        {
            previous = _engine;
            _engine = next;
        }
        previous.Dispose();
        return previous;
    }

    public IBackendBatch CreateBatch() => Use(static engine => engine.CreateBatch());

    public void Commit(IBackendBatch batch, bool sync = false) => Engine.Commit(batch, sync);

    public IBackendSnapshot Snapshot() => Use(static engine => engine.Snapshot());

    public long SizeBytes => Use(static engine => engine.SizeBytes);

    public long SizeInUseBytes => Use(static engine => engine.SizeInUseBytes);

    public void Defragment() => Use(static engine =>
    {
        engine.Defragment();
        return true;
    });

    // An engine refuses before it writes a byte, so a refused copy can start over on the new one.
    public void WriteSnapshotTo(Stream destination) => Use(engine =>
    {
        engine.WriteSnapshotTo(destination);
        return true;
    });

    public void Dispose() => Engine.Dispose();

    // A call that raced a replacement found the old engine disposed: the new one answers instead.
    private T Use<T>(Func<IBackend, T> call)
    {
        while (true)
        {
            var engine = Engine;
            try
            {
                return call(engine);
            }
            catch (ObjectDisposedException) when (!ReferenceEquals(engine, Engine))
            {
            }
        }
    }
}
