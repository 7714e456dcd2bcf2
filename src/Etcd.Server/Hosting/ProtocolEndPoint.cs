using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Etcd.Server.Hosting;

/// <summary>
/// One HTTP protocol's share of a cleartext socket: Kestrel binds two of these per listen URL,
/// one for HTTP/2 (gRPC) and one for HTTP/1.1, and <see cref="ProtocolSniffingTransport"/>
/// routes each accepted connection to one of them.
/// </summary>
public sealed class ProtocolEndPoint(IPEndPoint socket, HttpProtocols protocol) : EndPoint
{
    public IPEndPoint Socket { get; } = socket;
    public HttpProtocols Protocol { get; } = protocol;

    public override string ToString() => $"http://{Socket}";
}
