using System.Collections.Concurrent;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;

namespace Etcd.Compat.Tests;

/// <summary>Writes the fault tests make and remember once acknowledged (key and value alike).</summary>
internal static class ClusterWrites
{
    public static async Task PutAsync(string endpoint, string key, ConcurrentDictionary<string, string> acknowledged, int deadlineSeconds = 3)
    {
        using var client = EtcdClient.Create(new EtcdClientOptions { Endpoints = [endpoint] });
        await client.KV.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(key) }, deadline: DateTime.UtcNow.AddSeconds(deadlineSeconds));
        acknowledged[key] = key;
    }

    /// <summary>Repeats <paramref name="attempt"/> while it fails with a gRPC error, until the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task> attempt, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                await attempt();
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
