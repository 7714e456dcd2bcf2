using Google.Protobuf;

namespace Etcd.Raft;

/// <summary>
/// The answer to a ReadIndex request: once the local applied index reaches <paramref name="Index"/>,
/// a read issued when the request was made may be served from the local state machine.
/// </summary>
/// <param name="Index">The commit index at the time leadership was confirmed.</param>
/// <param name="RequestContext">The context the request was made with, to match answer to request.</param>
public readonly record struct ReadState(ulong Index, ByteString RequestContext);
