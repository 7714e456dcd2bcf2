using System.Net.Http;

namespace Etcd.Compat.Tests;

/// <summary>Without --enable-v2 the v2 keys API is not served: the same 404 as etcd's.</summary>
public sealed class V2DisabledTests
{
    [Fact]
    public async Task KeysAnswerNotFoundWithoutTheFlag()
    {
        var (reference, ours) = await EtcdProcess.StartBothAsync();
        await using (reference)
        await using (ours)
        {
            using var http = new HttpClient();
            foreach (var (method, path) in new[] { ("GET", "/v2/keys/foo"), ("PUT", "/v2/keys/foo") })
            {
                var expected = await V2Http.CallAsync(http, reference.Endpoint, method, path, method == "PUT" ? "value=x" : null);
                var actual = await V2Http.CallAsync(http, ours.Endpoint, method, path, method == "PUT" ? "value=x" : null);
                Assert.StartsWith($"{method} {path} -> 404 ", actual, StringComparison.Ordinal);
                Assert.Equal(expected, actual);
            }
        }
    }
}
