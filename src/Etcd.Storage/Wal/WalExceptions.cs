namespace Etcd.Storage.Wal;

/// <summary>A WAL could not be created, opened or read.</summary>
public class WalException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// The WAL's bytes are damaged where a crash cannot have left them: a checksum mismatch before
/// the tail, a missing segment, segments that do not continue each other. Never repaired
/// silently: acknowledged writes may be gone.
/// </summary>
public sealed class WalCorruptException(string message) : WalException(message);

/// <summary>The snapshot marker asked for is not in the WAL, or has another term.</summary>
public sealed class WalSnapshotNotFoundException(string message) : WalException(message);

/// <summary>Another WAL object (in this or another process) holds the directory.</summary>
public sealed class WalLockedException(string message, Exception inner) : WalException(message, inner);

/// <summary><see cref="Wal.Create"/> found a WAL already in the directory.</summary>
public sealed class WalExistsException(string message) : WalException(message);
