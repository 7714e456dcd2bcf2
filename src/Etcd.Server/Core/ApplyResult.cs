using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Server.Core;

/// <summary>What applying one entry produced for the client that proposed it: a response or an error.</summary>
public readonly record struct ApplyResult(IMessage? Response, RpcException? Error)
{
    public static ApplyResult Of(IMessage response) => new(response, null);
    public static ApplyResult Failed(RpcException error) => new(null, error);
}
