using Etcd.Api.Etcdserverpb;
using Etcd.Server.Watch;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>
/// etcd's Watch service as gRPC sees it: bound as the generated code would, but with
/// <see cref="WatchResponseMarshaller"/> for its responses. (gRPC looks the handler up as an
/// override of a method declared by the type that names the binder, hence this base.)
/// </summary>
[BindServiceMethod(typeof(WatchServiceBinding), nameof(WatchServiceBinding.BindService))]
public abstract class WatchServiceBase
{
    public abstract Task Watch(IAsyncStreamReader<WatchRequest> requestStream, IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context);
}

/// <summary>Registers <see cref="WatchServiceBase.Watch"/> under etcd's method name.</summary>
public static class WatchServiceBinding
{
    private static readonly Method<WatchRequest, WatchResponse> WatchMethod = new(
        MethodType.DuplexStreaming,
        "etcdserverpb.Watch",
        "Watch",
        Marshallers.Create<WatchRequest>(
            (request, context) =>
            {
                context.SetPayloadLength(request.CalculateSize());
                Google.Protobuf.MessageExtensions.WriteTo(request, context.GetBufferWriter());
                context.Complete();
            },
            context => WatchRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence())),
        WatchResponseMarshaller.Instance);

    public static void BindService(ServiceBinderBase binder, WatchServiceBase service) =>
        binder.AddMethod(WatchMethod, service is null ? null : new DuplexStreamingServerMethod<WatchRequest, WatchResponse>(service.Watch));
}
