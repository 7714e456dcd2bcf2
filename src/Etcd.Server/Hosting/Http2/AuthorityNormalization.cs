using System.IO.Pipelines;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Etcd.Server.Hosting.Http2;

/// <summary>Puts an <see cref="AuthorityNormalizingReader"/> in front of each HTTP/2 connection.</summary>
public static class AuthorityNormalization
{
    public static void UseAuthorityNormalization(this ListenOptions listen) =>
        listen.Use(next => context =>
        {
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
