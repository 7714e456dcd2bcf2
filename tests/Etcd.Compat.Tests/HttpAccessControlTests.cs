using System.Net;

namespace Etcd.Compat.Tests;

/// <summary>
/// --cors and --host-whitelist on the client port's HTTP side, against reference etcd 3.4 with the
/// same flags: the same status, CORS headers and body for allowed and foreign origins and hosts,
/// OPTIONS, /version, /health, /v2 and /v3.
/// </summary>
public sealed class HttpAccessControlTests
{
    private static readonly string[] Compared = ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "X-Content-Type-Options"];

    private static async Task<string> AnswerAsync(EtcdProcess member, HttpMethod method, string path, string? origin, string? host)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, member.Endpoint + path);
        if (origin is not null) request.Headers.Add("Origin", origin);
        if (host is not null) request.Headers.Host = host;
        if (method == HttpMethod.Post) request.Content = new StringContent("{\"key\":\"YQ==\"}");
        using var response = await http.SendAsync(request);
        var text = $"{(int)response.StatusCode}\n";
        foreach (var name in Compared)
        {
            if (response.Headers.TryGetValues(name, out var values)) text += $"{name}: {string.Join(",", values)}\n";
        }
        var body = await response.Content.ReadAsStringAsync();
        // Only the refusal's text is compared whole: other bodies carry ids and versions.
        if (response.StatusCode == HttpStatusCode.MisdirectedRequest) text += response.Content.Headers.ContentType + "\n" + body;
        return text;
    }

    private static readonly (string Method, string Path, string? Origin, string? Host)[] Requests =
    [
        ("GET", "/version", null, null),
        ("GET", "/version", "http://a.example:80", null),
        ("GET", "/health", "http://b.example:80", null),
        ("GET", "/v2/keys", "http://c.example:8080", null),
        ("OPTIONS", "/v3/kv/range", "http://a.example:80", null),
        ("POST", "/v3/kv/range", "http://a.example:80", null),
        ("GET", "/version", null, "evil.example"),
        ("GET", "/v2/keys", "http://a.example:80", "evil.example:2379"),
        ("POST", "/v3/kv/range", null, "[::1]:2379"),
        ("GET", "/health", null, "localhost:2379"),
    ];

    [Theory]
    [InlineData("--cors", "http://a.example:80,http://c.example:8080", "--host-whitelist", "127.0.0.1,localhost")]
    [InlineData("--cors", "*", "--host-whitelist", "*")]
    public async Task AnswersAsEtcdDoes(string corsFlag, string cors, string hostsFlag, string hosts)
    {
        var (reference, ours) = await EtcdProcess.StartBothAsync(["--enable-v2", corsFlag, cors, hostsFlag, hosts]);
        await using (reference)
        await using (ours)
        {
            foreach (var (method, path, origin, host) in Requests)
            {
                var step = $"{method} {path} Origin={origin} Host={host}";
                var expected = await AnswerAsync(reference, new HttpMethod(method), path, origin, host);
                var actual = await AnswerAsync(ours, new HttpMethod(method), path, origin, host);
                Assert.True(expected == actual, $"{step}\n=== reference\n{expected}\n=== ours\n{actual}");
            }
        }
    }

    [Fact]
    public async Task ACorsOriginThatIsNotAUrlStopsTheStartAsInEtcd()
    {
        var args = new[] { "--cors", "http://a.example" };
        var theirs = await ProcessRunner.RunAsync(Binaries.ReferenceEtcd, args, null);
        var ours = await ProcessRunner.RunAsync(Binaries.OurEtcd, args, null);
        Assert.NotEqual(0, ours.ExitCode);
        const string message = "invalid value \"http://a.example\" for flag -cors: URL address does not have the form \"host:port\": http://a.example";
        Assert.Contains(message, theirs.Stderr);
        Assert.Contains(message, ours.Stderr);
    }
}
