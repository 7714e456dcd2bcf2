using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Services;

// Services whose RPCs are not implemented yet: the generated bases answer every call with gRPC
// Unimplemented, which is what a client should see until the issue that builds them lands.

/// <summary>Auth: not implemented yet (security issue).</summary>
public sealed class AuthService : Auth.AuthBase;

