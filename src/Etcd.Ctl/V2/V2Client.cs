using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Etcd.Client;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.V2;

/// <summary>
/// The v2 HTTP client (etcd's client package as etcdctl 3.4 uses it): endpoints tried in turn,
/// a header timeout per request, basic auth, TLS from the PEM files, cURL lines with --debug.
/// </summary>
public sealed class V2Client
{
    private readonly HttpClient _http;
    private readonly TimeSpan _perRequest;
    private readonly string? _authorization;
    private readonly ConsoleOutput? _debug;

    private V2Client(List<string> endpoints, HttpClient http, TimeSpan perRequest, string? authorization, ConsoleOutput? debug)
    {
        Endpoints = endpoints;
        _http = http;
        _perRequest = perRequest;
        _authorization = authorization;
        _debug = debug;
    }

    public List<string> Endpoints { get; private set; }

    public static V2Client Create(V2Context c)
    {
        List<string> endpoints = V2Endpoints.Resolve(c);
        string ca = First(c.Global.GetString("ca-file"), c.Env("ETCDCTL_CA_FILE"));
        string cert = First(c.Global.GetString("cert-file"), c.Env("ETCDCTL_CERT_FILE"));
        string key = First(c.Global.GetString("key-file"), c.Env("ETCDCTL_KEY_FILE"));
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        TimeSpan total = c.TotalTimeout;
        handler.ConnectTimeout = total > TimeSpan.Zero && total < TimeSpan.FromSeconds(30) ? total : TimeSpan.FromSeconds(30);
        if (ca.Length > 0 || cert.Length > 0)
        {
            handler.SslOptions = EtcdClient.CreateSslOptions(new EtcdTlsOptions { CaCertFile = ca, CertFile = cert, KeyFile = key });
        }

        string? authorization = null;
        string user = First(c.Global.GetString("username"), c.Env("ETCDCTL_USERNAME"));
        if (user.Length > 0)
        {
            int colon = user.IndexOf(':', StringComparison.Ordinal);
            string name = colon < 0 ? user : user[..colon];
            string password = colon < 0 ? Commands.PasswordPrompt.Ask("Password: ", c.Err) : user[(colon + 1)..];
            authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(name + ":" + password));
        }

        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        return new V2Client(endpoints, http, c.Global.GetDuration("timeout"), authorization, c.Global.GetBool("debug") ? c.Err : null);
    }

    private static string First(string a, string b) => a.Length > 0 ? a : b;

    /// <summary>Client.Sync: the members' client URLs become the endpoints. Exits as etcdctl does when it cannot.</summary>
    public async Task SyncAsync(V2Context c)
    {
        if (_debug is not null)
        {
            c.Err.WriteLine("start to sync cluster using endpoints(" + string.Join(",", Endpoints) + ")");
        }

        using var cts = new CancellationTokenSource(c.TotalTimeout);
        try
        {
            List<V2Member> members = await ListMembersAsync(cts.Token).ConfigureAwait(false);
            var endpoints = new List<string>();
            foreach (V2Member m in members)
            {
                endpoints.AddRange(m.ClientUrls);
            }

            if (endpoints.Count == 0)
            {
                c.Out.Flush();
                c.Err.WriteLine("etcd cluster has no published client endpoints.");
                c.Err.WriteLine("Try '--no-sync' if you want to access non-published client endpoints(" + string.Join(",", Endpoints) + ").");
                throw c.Fail(V2ExitCode.ServerError, "client: no endpoints available");
            }

            Endpoints = endpoints;
        }
        catch (V2RequestException e) when (e.IsConnection)
        {
            throw c.Fail(V2ExitCode.BadConnection, e);
        }
        catch (V2RequestException)
        {
            // etcdctl goes on with the endpoints it was given.
        }

        if (_debug is not null)
        {
            c.Err.WriteLine("got endpoints(" + string.Join(",", Endpoints) + ") after sync");
        }
    }

    /// <summary>A raw answer: status, body and the X-Etcd-Index header.</summary>
    public readonly record struct Answer(int Status, byte[] Body, ulong Index);

    /// <summary>httpClusterClient.Do: each endpoint in turn until one answers without a 5xx.</summary>
    public async Task<Answer> SendAsync(HttpMethod method, string pathAndQuery, string? form, bool wait, CancellationToken ct)
    {
        var errors = new List<V2RequestException>();
        foreach (string endpoint in Endpoints)
        {
            string url = endpoint.TrimEnd('/') + pathAndQuery;
            if (_debug is not null)
            {
                string command = "curl -X " + method.Method + " " + url;
                if (form is not null)
                {
                    command += " -d " + GoText.QuoteString(form);
                }

                _debug.WriteLine("cURL Command: " + command);
                _debug.Flush();
            }

            using var request = new HttpRequestMessage(method, url);
            if (form is not null || method == HttpMethod.Delete)
            {
                request.Content = new StringContent(form ?? "", Encoding.UTF8);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
            }

            if (_authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            }

            using var perRequest = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (!wait && _perRequest > TimeSpan.Zero)
            {
                perRequest.CancelAfter(_perRequest);
            }

            try
            {
                using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, perRequest.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                if (status / 100 == 5)
                {
                    errors.Add(new V2RequestException(status is 500 or 503
                        ? "client: etcd member " + endpoint + " has no leader"
                        : "client: etcd member " + endpoint + " returns server error [" + StatusText(status) + "]"));
                    continue;
                }

                ulong index = 0;
                if (response.Headers.TryGetValues("X-Etcd-Index", out IEnumerable<string>? values))
                {
                    foreach (string v in values)
                    {
                        _ = ulong.TryParse(v, out index);
                    }
                }

                return new Answer(status, body, index);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw new V2RequestException("context deadline exceeded", isConnection: true);
            }
            catch (OperationCanceledException)
            {
                errors.Add(new V2RequestException("context deadline exceeded", isConnection: true));
            }
            catch (HttpRequestException e)
            {
                errors.Add(new V2RequestException(DialError(url, e), isConnection: true));
            }
        }

        throw new V2ClusterException(errors);
    }

    // Go's net.OpError text for a failed dial.
    private static string DialError(string url, HttpRequestException e)
    {
        var uri = new Uri(url);
        string address = (uri.HostNameType == UriHostNameType.IPv6 ? "[" + uri.IdnHost + "]" : uri.IdnHost) + ":" + uri.Port;
        if (e.InnerException is SocketException s)
        {
            string reason = s.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connect: connection refused",
                SocketError.HostNotFound or SocketError.NoData => "lookup " + uri.IdnHost + ": no such host",
                SocketError.TimedOut => "i/o timeout",
                SocketError.NetworkUnreachable => "connect: network is unreachable",
                _ => s.Message,
            };
            return "dial tcp " + address + ": " + reason;
        }

        return e.Message;
    }

    private static string StatusText(int status) => status switch
    {
        501 => "Not Implemented",
        502 => "Bad Gateway",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => ((HttpStatusCode)status).ToString(),
    };

    /// <summary>A keys API call; a 200/201 answer parsed, anything else the server's error.</summary>
    public async Task<V2Response> KeysAsync(HttpMethod method, string key, SortedDictionary<string, string> query, SortedDictionary<string, string>? form, bool wait, CancellationToken ct)
    {
        string path = KeysPath(key);
        string q = V2Url.Encode(query);
        Answer answer = await SendAsync(method, path + (q.Length > 0 ? "?" + q : ""), form is null ? null : V2Url.Encode(form), wait, ct).ConfigureAwait(false);
        if (answer.Status is 200 or 201)
        {
            if (answer.Body.Length == 0)
            {
                throw new V2RequestException("client: response body is empty");
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(answer.Body);
                return V2Response.Parse(doc.RootElement, answer.Index);
            }
            catch (JsonException)
            {
                throw new V2InvalidJsonException();
            }
        }

        throw ServerError(answer.Body);
    }

    private static V2RequestException ServerError(byte[] body)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(body);
            JsonElement e = doc.RootElement;
            if (e.ValueKind != JsonValueKind.Object)
            {
                return new V2InvalidJsonException();
            }

            int code = e.TryGetProperty("errorCode", out JsonElement c) && c.TryGetInt32(out int v) ? v : 0;
            return new V2ServerException(code, V2Node.Str(e, "message"), V2Node.Str(e, "cause"), V2Node.UInt(e, "index"));
        }
        catch (JsonException)
        {
            return new V2InvalidJsonException();
        }
    }

    /// <summary>"/v2/keys" joined with the key as path.Join does, a trailing slash kept, escaped as Go's URL.</summary>
    public static string KeysPath(string key)
    {
        string joined = V2Url.CleanPath("/v2/keys/" + key);
        if (key.EndsWith('/'))
        {
            joined += "/";
        }

        return V2Url.EscapePath(joined);
    }

    public async Task<List<V2Member>> ListMembersAsync(CancellationToken ct)
    {
        Answer answer = await SendAsync(HttpMethod.Get, "/v2/members", null, false, ct).ConfigureAwait(false);
        if (answer.Status != 200)
        {
            throw new V2RequestException("unexpected status code " + answer.Status);
        }

        var members = new List<V2Member>();
        try
        {
            using JsonDocument doc = JsonDocument.Parse(answer.Body);
            if (doc.RootElement.TryGetProperty("members", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement m in list.EnumerateArray())
                {
                    members.Add(V2Member.Parse(m));
                }
            }
        }
        catch (JsonException e)
        {
            throw new V2RequestException(e.Message);
        }

        return members;
    }

    public async Task<V2Member> LeaderAsync(CancellationToken ct)
    {
        Answer answer = await SendAsync(HttpMethod.Get, "/v2/members/leader", null, false, ct).ConfigureAwait(false);
        if (answer.Status != 200)
        {
            throw new V2RequestException("unexpected status code " + answer.Status);
        }

        using JsonDocument doc = JsonDocument.Parse(answer.Body);
        return V2Member.Parse(doc.RootElement);
    }

    /// <summary>POST/PUT/DELETE on the members API; returns the body, or throws the members API's error.</summary>
    public async Task<byte[]> MembersChangeAsync(HttpMethod method, string path, string? json, int expected, CancellationToken ct)
    {
        Answer answer = await SendJsonAsync(method, path, json, ct).ConfigureAwait(false);
        if (answer.Status != expected)
        {
            string message = "unexpected status code " + answer.Status;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(answer.Body);
                if (doc.RootElement.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString() ?? message;
                }
            }
            catch (JsonException)
            {
            }

            throw new V2RequestException(message);
        }

        return answer.Body;
    }

    /// <summary>A request with a JSON body (members and auth APIs).</summary>
    public async Task<Answer> SendJsonAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        var errors = new List<V2RequestException>();
        foreach (string endpoint in Endpoints)
        {
            string url = endpoint.TrimEnd('/') + path;
            if (_debug is not null)
            {
                string command = "curl -X " + method.Method + " " + url;
                if (json is not null)
                {
                    command += " -d " + GoText.QuoteString(json);
                }

                _debug.WriteLine("cURL Command: " + command);
            }

            using var request = new HttpRequestMessage(method, url);
            if (json is not null)
            {
                request.Content = new StringContent(json, Encoding.UTF8);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            }

            if (_authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", _authorization);
            }

            using var perRequest = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (_perRequest > TimeSpan.Zero)
            {
                perRequest.CancelAfter(_perRequest);
            }

            try
            {
                using HttpResponseMessage response = await _http.SendAsync(request, perRequest.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                byte[] body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                if (status / 100 == 5)
                {
                    errors.Add(new V2RequestException("client: etcd member " + endpoint + " has no leader"));
                    continue;
                }

                return new Answer(status, body, 0);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw new V2RequestException("context deadline exceeded", isConnection: true);
            }
            catch (OperationCanceledException)
            {
                errors.Add(new V2RequestException("context deadline exceeded", isConnection: true));
            }
            catch (HttpRequestException e)
            {
                errors.Add(new V2RequestException(DialError(url, e), isConnection: true));
            }
        }

        throw new V2ClusterException(errors);
    }

    /// <summary>A plain GET of a full URL with the client's transport (cluster-health's /health).</summary>
    public async Task<byte[]> GetAbsoluteAsync(string url)
    {
        try
        {
            return await _http.GetByteArrayAsync(url).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.StatusCode is null)
        {
            throw new V2RequestException("Get " + GoText.QuoteString(url) + ": " + DialError(url, e), isConnection: true);
        }
    }
}

/// <summary>A member as /v2/members lists it.</summary>
public sealed record V2Member(string Id, string Name, List<string> PeerUrls, List<string> ClientUrls)
{
    public static V2Member Parse(JsonElement e) => new(V2Node.Str(e, "id"), V2Node.Str(e, "name"), Strings(e, "peerURLs"), Strings(e, "clientURLs"));

    private static List<string> Strings(JsonElement e, string name)
    {
        var list = new List<string>();
        if (e.TryGetProperty(name, out JsonElement a) && a.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement s in a.EnumerateArray())
            {
                list.Add(s.GetString() ?? "");
            }
        }

        return list;
    }
}
