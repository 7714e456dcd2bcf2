using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;

namespace Etcd.Compat.Tests;

/// <summary>
/// The JSON gateway (/v3/...) against reference etcd 3.4 and ours, request by request: the same
/// status, content type and body (ids and terms aside), as curl users and etcd's e2e tests see it.
/// </summary>
public sealed partial class GatewayCompatibilityTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private EtcdProcess _reference = null!;
    private EtcdProcess _ours = null!;

    public async Task InitializeAsync()
    {
        (_reference, _ours) = await EtcdProcess.StartBothAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _reference.DisposeAsync();
        await _ours.DisposeAsync();
    }

    [Fact]
    public async Task UnaryCallsAnswerWhatEtcdsGatewayAnswers()
    {
        await Same("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
        await Same("/v3beta/kv/range", "{\"key\":\"Zm9v\"}");
        await Same("/v3/kv/range", "{\"key\":\"Zm9v\",\"range_end\":\"Zm9w\",\"keys_only\":true}");
        await Same("/v3/kv/txn", "{\"compare\":[{\"key\":\"Zm9v\",\"result\":\"EQUAL\",\"target\":\"VALUE\",\"value\":\"YmFy\"}]," +
            "\"success\":[{\"request_put\":{\"key\":\"Zm9v\",\"value\":\"YmF6\",\"prev_kv\":true}}],\"failure\":[{\"request_range\":{\"key\":\"Zm9v\"}}]}");
        // etcd's e2e "malformed" txn: Go field names are unknown to the gateway, the op is empty.
        await Same("/v3/kv/txn", "{\"compare\":[{\"result\":0,\"target\":1,\"key\":\"Zm9v\",\"TargetUnion\":null}],\"success\":[{\"Request\":{\"RequestPut\":{\"key\":\"Zm9v\",\"value\":\"YmFy\"}}}]}");
        await Same("/v3/kv/range", "{\"key\":");
        await Same("/v3/kv/range", "xyz");
        await Same("/v3/kv/range", "{\"key\":true}");
        await Same("/v3/kv/range", "{\"key\":\"Zm9v\"} trailing");
        // A 64-bit id as a bare JSON number (Go's json.Marshal) comes back exact.
        await Same("/v3/lease/grant", "{\"TTL\":20,\"ID\":4924406575940403662}");
        await Same("/v3/kv/lease/leases", "");
        await Same("/v3/lease/revoke", "{\"ID\":4924406575940403662}");
        await Same("/v3/kv/lease/revoke", "{\"ID\":4924406575940403662}");
        await Same("/v3/election/proclaim", "{\"value\":\"YmFy\"}");
        await Same("/v3/election/resign", "{}");
        await Same("/v3/election/leader", "{\"name\":\"bm9uZQ==\"}");
        await Same("/v3/kv/deleterange", "{\"key\":\"Zm9v\",\"prev_kv\":true}");
        await Same("/v3/kv/compaction", "{\"revision\":2}");
        await Same("/v3/kv/compaction", "{\"revision\":100}");
        await Same("/v3/kv/nothing", "{}");
        await Same("/v3/kv/range", null);
    }

    [Fact]
    public async Task StreamsAnswerOneResultLinePerMessage()
    {
        await Same("/v3/kv/put", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}");
        await Same("/v3/lease/grant", "{\"TTL\":20,\"ID\":7}");
        // Keep-alive ends when the body does; an unknown lease answers TTL 0; a bad body is Unknown.
        await Same("/v3/lease/keepalive", "{\"ID\":7}");
        await Same("/v3/lease/keepalive", "{\"ID\":1}");
        await Same("/v3/lease/keepalive", "{\"ID\":");
        // A watch goes on after the body ends: the created response and the history arrive.
        await SameLines("/v3/watch", "{\"create_request\":{\"key\":\"Zm9v\",\"start_revision\":1}}", 2);
        // Two requests in one body: a watch and a progress request.
        await SameLines("/v3/watch", "{\"create_request\":{\"key\":\"Zm9v\"}} {\"progress_request\":{}}", 2);
        await Same("/v3/kv/compaction", "{\"revision\":2}");
        await SameLines("/v3/watch", "{\"create_request\":{\"key\":\"Zm9v\",\"start_revision\":1}}", 2);
    }

    private async Task Same(string path, string? body)
    {
        var want = Normalized(await CallAsync(_reference, path, body));
        var got = Normalized(await CallAsync(_ours, path, body));
        Assert.True(want == got, $"POST {path} {body}\n=== reference etcd (normalized)\n{want}\n=== ours (normalized)\n{got}");
    }

    private async Task SameLines(string path, string body, int lines)
    {
        var want = Normalized(await StreamLinesAsync(_reference, path, body, lines));
        var got = Normalized(await StreamLinesAsync(_ours, path, body, lines));
        Assert.True(want == got, $"POST {path} {body}\n=== reference etcd (normalized)\n{want}\n=== ours (normalized)\n{got}");
    }

    // A null body means a GET.
    private async Task<string> CallAsync(EtcdProcess member, string path, string? body)
    {
        using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, member.Endpoint + path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _http.SendAsync(request);
        return $"{(int)response.StatusCode} {response.Content.Headers.ContentType}\n{await response.Content.ReadAsStringAsync()}";
    }

    // The first lines of a stream that does not end by itself; the request is then abandoned.
    private async Task<string> StreamLinesAsync(EtcdProcess member, string path, string body, int lines)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, member.Endpoint + path) { Content = new StringContent(body) };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var text = new StringBuilder($"{(int)response.StatusCode} {response.Content.Headers.ContentType}\n");
        for (var i = 0; i < lines; i++) text.Append(await reader.ReadLineAsync()).Append('\n');
        return text.ToString();
    }

    private static string Normalized(string text) => Ids().Replace(text, m => $"\"{m.Groups[1].Value}\":\"ID\"");

    [GeneratedRegex("\"(cluster_id|member_id|raft_term)\":\"\\d+\"")]
    private static partial Regex Ids();
}
