using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Services;

// Services whose RPCs are not implemented yet: the generated bases answer every call with gRPC
// Unimplemented, which is what a client should see until the issue that builds them lands.

/// <summary>Auth: not implemented yet (security issue).</summary>
public sealed class AuthService : Auth.AuthBase;

/// <summary>Lock: not implemented yet (issue: Watch, Lease, Lock and Election).</summary>
public sealed class LockService : Etcd.Api.V3lockpb.Lock.LockBase;

/// <summary>Election: not implemented yet (issue: Watch, Lease, Lock and Election).</summary>
public sealed class ElectionService : Etcd.Api.V3electionpb.Election.ElectionBase;
