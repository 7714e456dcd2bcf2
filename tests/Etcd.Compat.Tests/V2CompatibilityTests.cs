using System.Net.Http;

namespace Etcd.Compat.Tests;

/// <summary>
/// The v2 API (--enable-v2) against reference etcd 3.4 and ours: the same requests give the same
/// status, content type, X-Etcd-Index and body, and the official etcdctl with ETCDCTL_API=2
/// prints the same. Both start as fresh one-member clusters, so even the v2 indexes agree
/// (etcd's member records take indexes 1 to 3); only ports and member ids differ.
/// </summary>
public sealed class V2CompatibilityTests : IAsyncLifetime
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private EtcdProcess _reference = null!;
    private EtcdProcess _ours = null!;

    public async Task InitializeAsync()
    {
        (_reference, _ours) = await EtcdProcess.StartBothAsync(["--enable-v2"]);
        // etcd writes the cluster version into the v2 store (an index) when its leader gets
        // round to it, possibly after it already serves clients: compare only once both have.
        foreach (var server in new[] { _reference, _ours })
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await _http.GetStringAsync(server.Endpoint + "/version")).Contains("not_decided", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, $"{server.Endpoint} set no cluster version within 30 s");
                await Task.Delay(50);
            }
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _reference.DisposeAsync();
        await _ours.DisposeAsync();
    }

    private async Task Same(string method, string pathAndQuery, string? form = null)
    {
        var expected = await V2Http.CallAsync(_http, _reference.Endpoint, method, pathAndQuery, form);
        var actual = await V2Http.CallAsync(_http, _ours.Endpoint, method, pathAndQuery, form);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task KeysRequestsAnswerWhatEtcdAnswers()
    {
        await Same("GET", "/v2/keys/foo");
        await Same("PUT", "/v2/keys/foo", "value=bar");
        await Same("GET", "/v2/keys/foo");
        await Same("PUT", "/v2/keys/foo", "value=baz");
        await Same("PUT", "/v2/keys/foo?prevValue=nope", "value=x");
        await Same("PUT", "/v2/keys/foo?prevIndex=1", "value=x");
        await Same("PUT", "/v2/keys/foo?prevIndex=1&prevValue=nope", "value=x");
        await Same("PUT", "/v2/keys/foo?prevValue=baz", "value=cas");
        await Same("PUT", "/v2/keys/foo?prevExist=false", "value=x");
        await Same("PUT", "/v2/keys/new?prevExist=false", "value=x");
        await Same("PUT", "/v2/keys/missing?prevExist=true", "value=x");
        await Same("PUT", "/v2/keys/new?prevExist=true", "value=upd");
        await Same("PUT", "/v2/keys/dir?dir=true");
        await Same("PUT", "/v2/keys/dir", "value=x");
        await Same("DELETE", "/v2/keys/dir");
        await Same("DELETE", "/v2/keys/dir?dir=true");
        await Same("PUT", "/v2/keys/d2/a/b", "value=1");
        await Same("PUT", "/v2/keys/d2/a/_hidden", "value=h");
        await Same("GET", "/v2/keys/d2?recursive=true&sorted=true");
        await Same("GET", "/v2/keys/d2/a/_hidden");
        await Same("PUT", "/v2/keys/d2/a/b/c", "value=1");
        await Same("DELETE", "/v2/keys/d2?dir=true");
        await Same("DELETE", "/v2/keys/d2?recursive=true");
        await Same("POST", "/v2/keys/queue", "value=one");
        await Same("POST", "/v2/keys/queue", "value=two");
        await Same("GET", "/v2/keys/queue?sorted=true");
        await Same("DELETE", "/v2/keys/foo?prevValue=x");
        await Same("DELETE", "/v2/keys/foo?prevValue=cas");
        await Same("PUT", "/v2/keys/", "value=x");
        await Same("DELETE", "/v2/keys?recursive=true");
        await Same("PUT", "/v2/keys/html", "value=%3Ca%26b%3E%20%C3%A9%22%5C");
        await Same("GET", "/v2/keys/html?quorum=true");
        await Same("PUT", "/v2/keys/a/b%2Fc", "value=escaped");
        await Same("GET", "/v2/keys/a?recursive=true");
        await Same("PUT", "/v2/keys/new?noValueOnSuccess=true", "value=z");
        await Same("PUT", "/v2/keys/ttl?ttl=100", "value=t");
        await Same("PUT", "/v2/keys/ttl?prevExist=true&ttl=", "value=t2");
        await Same("HEAD", "/v2/keys/new");
        await Same("GET", "/v2/keys/?sorted=true");
        await Same("PATCH", "/v2/keys/foo");
        await Same("GET", "/v2/nothing");
    }

    [Fact]
    public async Task MalformedRequestsGetEtcdsErrors()
    {
        await Same("PUT", "/v2/keys/t?ttl=abc", "value=x");
        await Same("PUT", "/v2/keys/t?prevIndex=-1", "value=x");
        await Same("GET", "/v2/keys/t?recursive=maybe");
        await Same("PUT", "/v2/keys/t?prevValue=", "value=x");
        await Same("PUT", "/v2/keys/t?wait=true", "value=x");
        await Same("PUT", "/v2/keys/t?refresh=true", "value=x");
        await Same("PUT", "/v2/keys/t?refresh=true");
        await Same("GET", "/v2/keys/t?waitIndex=x&wait=true");
        await Same("PUT", "/v2/keys/t?prevExist=perhaps", "value=x");
    }

    [Fact]
    public async Task WatchesFromTheHistoryAndFromNowAnswerTheSame()
    {
        await Same("PUT", "/v2/keys/w/a", "value=1");
        await Same("PUT", "/v2/keys/w/b", "value=2");
        await Same("GET", "/v2/keys/w/b?wait=true&waitIndex=1");
        await Same("GET", "/v2/keys/w?wait=true&waitIndex=1&recursive=true");
        await Same("GET", "/v2/keys/w/a?wait=true&waitIndex=1");
        // A watch from now is answered by the next write to the key.
        var reference = V2Http.CallAsync(_http, _reference.Endpoint, "GET", "/v2/keys/w?wait=true&recursive=true");
        var ours = V2Http.CallAsync(_http, _ours.Endpoint, "GET", "/v2/keys/w?wait=true&recursive=true");
        await WaitForWatchersAsync();
        await Same("DELETE", "/v2/keys/w/a");
        Assert.Equal(await reference, await ours);
    }

    [Fact]
    public async Task TheHistoryIsClearedAfterAThousandEvents()
    {
        for (var i = 0; i < 1010; i++)
        {
            await V2Http.CallAsync(_http, _reference.Endpoint, "PUT", "/v2/keys/many", "value=" + i);
            await V2Http.CallAsync(_http, _ours.Endpoint, "PUT", "/v2/keys/many", "value=" + i);
        }
        await Same("GET", "/v2/keys/many?wait=true&waitIndex=5");
        await Same("GET", "/v2/keys/many?wait=true&waitIndex=20");
    }

    [Fact]
    public async Task KeysWithATtlExpireAsAnEventAtTheNextIndex()
    {
        await Same("PUT", "/v2/keys/short?ttl=1", "value=v");
        // Polled with a deadline: the leader expires it by a SYNC entry within about a second.
        foreach (var endpoint in new[] { _reference.Endpoint, _ours.Endpoint })
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while ((await V2Http.CallAsync(_http, endpoint, "GET", "/v2/keys/short")).Contains(" -> 200 ", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "the key did not expire within 10 s");
                await Task.Delay(100);
            }
        }
        await Same("GET", "/v2/keys/short");
        await Same("GET", "/v2/keys/short?wait=true&waitIndex=5");
    }

    [Fact]
    public async Task MembersMachinesAndStoreStats()
    {
        var ports = new[] { _reference.ClientPort, _reference.PeerPort, _ours.ClientPort, _ours.PeerPort };
        foreach (var path in new[] { "/v2/members", "/v2/machines", "/v2/members/leader", "/v2/members/nothing", "/v2/stats/store" })
        {
            var expected = OutputNormalizer.Normalize(await V2Http.CallAsync(_http, _reference.Endpoint, "GET", path), ports);
            var actual = OutputNormalizer.Normalize(await V2Http.CallAsync(_http, _ours.Endpoint, "GET", path), ports);
            if (path == "/v2/stats/store")
            {
                // etcd also counts reads it makes while starting; the rest of the counters match.
                expected = System.Text.RegularExpressions.Regex.Replace(expected, "\"gets(Success|Fail)\":\\d+", "\"gets$1\":N");
                actual = System.Text.RegularExpressions.Regex.Replace(actual, "\"gets(Success|Fail)\":\\d+", "\"gets$1\":N");
            }
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public async Task EtcdctlV2PrintsTheSame()
    {
        string[][] commands =
        [
            ["set", "foo", "bar"], ["get", "foo"], ["-o", "extended", "get", "foo"], ["-o", "json", "get", "foo"],
            ["mk", "foo", "again"], ["mk", "newkey", "v"], ["mkdir", "d1"], ["mkdir", "d1"], ["set", "d1/a", "1"], ["set", "d1/b", "2"],
            ["ls", "--sort", "--recursive"], ["ls", "-p", "--sort", "d1"], ["update", "foo", "upd"], ["update", "nokey", "x"],
            ["updatedir", "d1", "--ttl", "100"], ["setdir", "d2"], ["rmdir", "d2"], ["rm", "foo"], ["rm", "foo"], ["rm", "d1"], ["rmdir", "d1"],
            ["rm", "-r", "d1"], ["set", "foo", "y"], ["set", "--swap-with-value", "no", "foo", "x"], ["set", "--swap-with-index", "1", "foo", "x"],
            ["rm", "--with-value", "y", "foo"], ["get", "foo"], ["watch", "--after-index", "4", "newkey"], ["get", "--quorum", "newkey"],
            ["member", "list"], ["cluster-health"],
        ];
        var ports = new[] { _reference.ClientPort, _reference.PeerPort, _ours.ClientPort, _ours.PeerPort };
        foreach (var command in commands)
        {
            var expected = await RunV2Async(_reference.Endpoint, command);
            var actual = await RunV2Async(_ours.Endpoint, command);
            Assert.Equal(OutputNormalizer.Normalize(expected, ports), OutputNormalizer.Normalize(actual, ports));
        }
    }

    [Fact]
    public async Task EtcdctlV2WatchSeesTheNextChange()
    {
        var reference = RunV2Async(_reference.Endpoint, ["watch", "--recursive", "dir"]);
        var ours = RunV2Async(_ours.Endpoint, ["watch", "--recursive", "dir"]);
        await WaitForWatchersAsync();
        await Same("PUT", "/v2/keys/dir/k", "value=seen");
        Assert.Equal(await reference, await ours);
    }

    // Waits until both servers report a watcher (the store stats count them).
    private async Task WaitForWatchersAsync()
    {
        foreach (var endpoint in new[] { _reference.Endpoint, _ours.Endpoint })
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!(await _http.GetStringAsync(endpoint + "/v2/stats/store")).Contains("\"watchers\":1", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "no watcher registered within 10 s");
                await Task.Delay(20);
            }
        }
    }

    private static async Task<string> RunV2Async(string endpoint, string[] args)
    {
        var result = await ProcessRunner.RunAsync(Binaries.OfficialEtcdctl, ["--endpoints", endpoint, .. args], null,
            new Dictionary<string, string> { ["ETCDCTL_API"] = "2" });
        return $"{string.Join(' ', args)} -> {result.ExitCode}\n{result.Stdout}{result.Stderr}";
    }
}
