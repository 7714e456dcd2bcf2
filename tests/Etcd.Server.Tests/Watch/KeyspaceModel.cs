namespace Etcd.Server.Tests.Watch;

/// <summary>The expected history of a test's writes, kept independently of the store.</summary>
internal sealed class KeyspaceModel
{
    private readonly SortedDictionary<string, (string Value, long Created)> _live = new(StringComparer.Ordinal);
    private readonly List<(string Key, bool Put, string Value)> _pending = [];

    // Readers check events on their own threads while the writer appends: both sides lock this.
    private readonly Lock _eventsLock = new();
    private readonly List<ModelEvent> _events = [];

    public int EventCount
    {
        get
        {
            lock (_eventsLock) return _events.Count;
        }
    }

    /// <summary>A copy of the events that match, taken under the lock the writer appends under.</summary>
    public List<ModelEvent> EventsWhere(Func<ModelEvent, bool> matches)
    {
        lock (_eventsLock) return _events.Where(matches).ToList();
    }

    public long Revision { get; private set; } = 1;

    public bool Exists(string key) => _live.ContainsKey(key);

    public IEnumerable<string> LiveKeysIn(string from, string to) =>
        _live.Keys.Where(k => string.CompareOrdinal(k, from) >= 0 && string.CompareOrdinal(k, to) < 0).ToList();

    /// <summary>Records one change of the write transaction in progress.</summary>
    public void Change(string key, bool put, string value = "") => _pending.Add((key, put, value));

    /// <summary>Ends a write transaction: it takes a revision only if it changed something.</summary>
    public void EndTxn()
    {
        if (_pending.Count == 0) return;
        lock (_eventsLock) Apply();
        _pending.Clear();
    }

    private void Apply()
    {
        Revision++;
        foreach (var (key, put, value) in _pending)
        {
            var previous = _live.TryGetValue(key, out var before) ? before.Value : null;
            if (put)
            {
                var created = previous is null ? Revision : before.Created;
                _live[key] = (value, created);
                _events.Add(new ModelEvent(Revision, key, true, value, previous, created));
            }
            else
            {
                _live.Remove(key);
                _events.Add(new ModelEvent(Revision, key, false, "", previous, 0));
            }
        }
    }
}

internal sealed record ModelEvent(long Revision, string Key, bool Put, string Value, string? Previous, long Created);
