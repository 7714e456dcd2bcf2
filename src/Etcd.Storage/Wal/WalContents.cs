namespace Etcd.Storage.Wal;

/// <summary>What <see cref="Wal.ReadAll"/> recovers.</summary>
/// <param name="Metadata">The bytes given to <see cref="Wal.Create"/>.</param>
/// <param name="State">The last state saved with <see cref="Wal.SaveState"/>, or null if none was.</param>
/// <param name="Entries">
/// The log after the snapshot, in index order without gaps: entries at or below the snapshot's
/// index are left out, and an entry rewritten later (a new leader overwriting a suffix) replaces
/// the old one and everything after it.
/// </param>
public sealed record WalContents(byte[] Metadata, byte[]? State, IReadOnlyList<WalEntry> Entries);
