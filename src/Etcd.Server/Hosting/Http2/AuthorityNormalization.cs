using System.IO.Pipelines;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Etcd.Server.Hosting.Http2;

/// <summary>Puts an <see cref="AuthorityNormalizingReader"/> in front of each HTTP/2 connection.</summary>
public static class AuthorityNormalization
{
    /// <param name="onlyAfterAlpnH2">On a TLS endpoint: only connections whose handshake chose HTTP/2.</param>
    public static void UseAuthorityNormalization(this ListenOptions listen, bool onlyAfterAlpnH2 = false) =>
        listen.Use(next => context =>
        {
            if (onlyAfterAlpnH2 && !context.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("h2"u8) is true)
                return next(context);
            var transport = context.Transport;
            context.Transport = new ConnectionPipe(new AuthorityNormalizingReader(transport.Input), transport.Output);
            return next(context);
        });

    private sealed class ConnectionPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => output;
    }
}
