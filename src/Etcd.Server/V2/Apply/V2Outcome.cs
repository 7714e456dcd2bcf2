using Etcd.Server.V2.Store;

namespace Etcd.Server.V2.Apply;

/// <summary>What applying a v2 request produced: an event, or etcd's v2 error. A SYNC produces neither.</summary>
public sealed record V2Outcome(V2Event? Event, V2Error? Error);
