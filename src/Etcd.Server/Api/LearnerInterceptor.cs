using Etcd.Api.Etcdserverpb;
using Etcd.Server.Core;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Etcd.Server.Api;

/// <summary>
/// A learner serves only Status and serializable reads, as in etcd: it does not vote, so it
/// cannot confirm a linearizable read, and clients should not mistake it for a full member.
/// </summary>
public sealed class LearnerInterceptor(EtcdServer server) : Interceptor
{
    private static readonly RpcException NotSupported =
        new(new Status(StatusCode.Unavailable, "etcdserver: rpc not supported for learner"), "etcdserver: rpc not supported for learner");

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        if (IsLearner() && !SupportedForLearner(request)) throw NotSupported;
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (IsLearner()) throw NotSupported;
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (IsLearner()) throw NotSupported;
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        if (IsLearner()) throw NotSupported;
        return continuation(requestStream, responseStream, context);
    }

    private bool IsLearner() => server.Members.Find(server.MemberId) is { IsLearner: true };

    private static bool SupportedForLearner(object request) => request switch
    {
        StatusRequest => true,
        RangeRequest range => range.Serializable,
        _ => false,
    };
}
