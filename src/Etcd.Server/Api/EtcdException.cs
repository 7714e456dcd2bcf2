using Grpc.Core;

namespace Etcd.Server.Api;

/// <summary>
/// An error of etcd's (see <see cref="EtcdErrors"/>), as the server's own code throws and returns
/// it: leases, auth, membership, the apply path. It becomes a gRPC status only on the way out
/// (<see cref="EtcdExceptionInterceptor"/>, the JSON gateway, the v2 API), so code below the API
/// edge never deals in <see cref="RpcException"/>.
/// </summary>
public sealed class EtcdException(StatusCode code, string message) : Exception(message)
{
    /// <summary>The gRPC status code etcd answers this error with.</summary>
    public StatusCode Code => code;

    /// <summary>Whether this is <paramref name="error"/> (errors are told apart by their text, as etcd's clients do).</summary>
    public bool Is(EtcdException error) => Message == error.Message;

    /// <summary>An error a peer answered with, as the server's own code handles it.</summary>
    public static EtcdException From(RpcException error) => new(error.StatusCode, error.Status.Detail);

    /// <summary>The error as gRPC carries it to a client: etcd's code and text.</summary>
    public RpcException ToRpc() => new(new Status(code, Message), Message);
}
