using Etcd.Server.Logging;

namespace Etcd.Server.Http;

/// <summary>
/// etcd's checks in front of every HTTP (not gRPC) request on the client port: --host-whitelist
/// refuses a cleartext request whose Host is not listed (421, etcd's text: the defence against
/// DNS rebinding), and --cors decides which Origin the Access-Control headers name ("*", the
/// default, names "*" on every answer). OPTIONS is answered by those headers alone.
/// </summary>
public sealed class AccessControl
{
    private readonly HashSet<string>? _origins;
    private readonly HashSet<string>? _hosts;
    private readonly ZapLogger _logger;

    private AccessControl(HashSet<string>? origins, HashSet<string>? hosts, ZapLogger logger)
    {
        _origins = origins;
        _hosts = hosts;
        _logger = logger;
    }

    /// <summary>From the flags' values; an empty list or one holding "*" allows all, as in etcd.</summary>
    public static AccessControl From(string cors, string hostWhitelist, ZapLogger logger) =>
        new(SetOf(cors), SetOf(hostWhitelist), logger);

    private static HashSet<string>? SetOf(string list)
    {
        var set = new HashSet<string>(list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal);
        return set.Count == 0 || set.Contains("*") ? null : set;
    }

    /// <summary>etcd reads --cors as URLs ("*" excepted): the reason one is refused, or null.</summary>
    public static string? CorsProblem(string cors)
    {
        foreach (var origin in cors.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (origin == "*") continue;
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "unix" or "unixs"))
                return $"URL scheme must be http, https, unix, or unixs: {origin}";
            var authority = origin[(origin.IndexOf("://", StringComparison.Ordinal) + 3)..].Split('/')[0];
            if (url.Scheme is "http" or "https" && !HasPort(authority)) return $"URL address does not have the form \"host:port\": {origin}";
            if (url.AbsolutePath is not ("" or "/")) return $"URL must not contain a path: {origin}";
        }
        return null;
    }

    private static bool HasPort(string authority)
    {
        var colon = authority.LastIndexOf(':');
        return colon > 0 && colon > authority.LastIndexOf(']') && colon < authority.Length - 1;
    }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        // gRPC goes to the gRPC server before etcd's HTTP handlers (cmux), unchecked here too.
        if (request.ContentType is { } type && type.StartsWith("application/grpc", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (_hosts is not null && !request.IsHttps)
        {
            var host = HostnameOf(request.Headers.Host.ToString());
            if (!_hosts.Contains(host))
            {
                _logger.Warn("rejecting HTTP request to prevent DNS rebinding attacks", LogField.Of("host", host));
                await RefuseAsync(context, host).ConfigureAwait(false);
                return;
            }
        }
        if (_origins is null) AddCorsHeaders(context.Response, "*");
        else if (request.Headers.Origin.ToString() is { Length: > 0 } origin && _origins.Contains(origin)) AddCorsHeaders(context.Response, origin);
        if (HttpMethods.IsOptions(request.Method))
        {
            context.Response.StatusCode = 200;
            context.Response.ContentLength = 0;
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    private static void AddCorsHeaders(HttpResponse response, string origin)
    {
        response.Headers["Access-Control-Allow-Methods"] = "POST, GET, OPTIONS, PUT, DELETE";
        response.Headers["Access-Control-Allow-Origin"] = origin;
        response.Headers["Access-Control-Allow-Headers"] = "accept, content-type, authorization";
    }

    /// <summary>The Host header without its port, as Go's net.SplitHostPort leaves it (the whole header when it has none).</summary>
    internal static string HostnameOf(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf("]:", StringComparison.Ordinal);
            return close > 0 ? host[1..close] : host;
        }
        var colon = host.IndexOf(':');
        return colon >= 0 && colon == host.LastIndexOf(':') ? host[..colon] : host;
    }

    private static Task RefuseAsync(HttpContext context, string host)
    {
        // Go's http.Error: plain text, no sniffing, the message and a newline.
        var response = context.Response;
        response.StatusCode = 421;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        var body = $"""

            etcd received your request, but the Host header was unrecognized.

            To fix this, choose one of the following options:
            - Enable TLS, then any HTTPS request will be allowed.
            - Add the hostname you want to use to the whitelist in settings.
              - e.g. etcd --host-whitelist "{host}"

            This requirement has been added to help prevent "DNS Rebinding" attacks (CVE-2018-5702).


            """;
        var bytes = System.Text.Encoding.UTF8.GetBytes(body.Replace("\r\n", "\n", StringComparison.Ordinal));
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }
}
