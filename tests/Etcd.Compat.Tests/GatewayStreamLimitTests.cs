using System.Net.Http;

namespace Etcd.Compat.Tests;

/// <summary>
/// etcd's gateway reaches its member over one gRPC connection, so --max-concurrent-streams caps
/// the gateway's open streams: with the cap taken by watches, a further call waits (etcd's e2e
/// TestV3Curl_MaxStreams_* tests) and goes through once a watch ends.
/// </summary>
public sealed class GatewayStreamLimitTests
{
    [Fact]
    public async Task CallsBeyondTheStreamCapWaitForAStreamToEnd()
    {
        await using var member = await EtcdProcess.StartAsync(Binaries.OurEtcd, extraArgs: ["--max-concurrent-streams", "2"]);
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var range = new StringContent("{\"key\":\"Zm9v\"}");

        using var first = new CancellationTokenSource();
        using var second = new CancellationTokenSource();
        await OpenWatchAsync(http, member, first.Token);
        await OpenWatchAsync(http, member, second.Token);

        // Both streams are taken: the range cannot start.
        var blocked = http.PostAsync(member.Endpoint + "/v3/kv/range", range);
        var finished = await Task.WhenAny(blocked, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.NotSame(blocked, finished);

        // Ending one watch frees its stream, and the waiting call completes.
        await first.CancelAsync();
        using var response = await blocked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("\"revision\":\"1\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await second.CancelAsync();
    }

    // Returns once the watch is created; the stream stays open until the token is cancelled.
    private static async Task OpenWatchAsync(HttpClient http, EtcdProcess member, CancellationToken token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, member.Endpoint + "/v3/watch")
        {
            Content = new StringContent("{\"create_request\":{\"key\":\"Zm9v\"}}"),
        };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(token));
        Assert.Contains("\"created\":true", await reader.ReadLineAsync(token), StringComparison.Ordinal);
        _ = Task.Run(async () =>
        {
            using (request)
            using (response)
            using (reader)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }, CancellationToken.None);
    }
}
