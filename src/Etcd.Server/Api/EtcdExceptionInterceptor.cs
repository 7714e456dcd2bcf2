using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Etcd.Server.Api;

/// <summary>
/// The API edge for errors: an <see cref="EtcdException"/> leaving any gRPC handler, client or
/// peer, becomes the status etcd answers with. A call that succeeds, or fails synchronously,
/// costs nothing more; only a call still running is awaited here.
/// </summary>
public sealed class EtcdExceptionInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> call;
        try
        {
            call = continuation(request, context);
        }
        catch (EtcdException e)
        {
            throw e.ToRpc();
        }
        return call.IsCompletedSuccessfully ? call : Mapped(call);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Mapped(() => continuation(request, responseStream, context));

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Task<TResponse> call;
        try
        {
            call = continuation(requestStream, context);
        }
        catch (EtcdException e)
        {
            throw e.ToRpc();
        }
        return Mapped(call);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        Mapped(() => continuation(requestStream, responseStream, context));

    private static async Task<TResponse> Mapped<TResponse>(Task<TResponse> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            throw e.ToRpc();
        }
    }

    private static async Task Mapped(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            throw e.ToRpc();
        }
    }
}
