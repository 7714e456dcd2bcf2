using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Etcd.Server.JsonGateway;

/// <summary>One gateway path and the gRPC method it forwards to, with marshallers built from the descriptor.</summary>
public sealed class GatewayRoute
{
    public GatewayRoute(string path, MethodDescriptor descriptor)
    {
        Path = path;
        Descriptor = descriptor;
        var type = (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            (true, true) => MethodType.DuplexStreaming,
        };
        Method = new Method<IMessage, IMessage>(type, descriptor.Service.FullName, descriptor.Name,
            Marshaller(descriptor.InputType), Marshaller(descriptor.OutputType));
    }

    public string Path { get; }
    public MethodDescriptor Descriptor { get; }
    public Method<IMessage, IMessage> Method { get; }

    private static Marshaller<IMessage> Marshaller(MessageDescriptor type) =>
        Marshallers.Create<IMessage>(message => message.ToByteArray(), bytes => type.Parser.ParseFrom(bytes));
}
