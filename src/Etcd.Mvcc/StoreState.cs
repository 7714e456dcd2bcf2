namespace Etcd.Mvcc;

/// <summary>What <see cref="StoreLoader"/> found in the backend besides the index.</summary>
internal readonly record struct StoreState(
    long Revision,
    long CompactRevision,
    long FinishedCompactRevision,
    ulong ConsistentIndex,
    ulong ConsistentTerm);
