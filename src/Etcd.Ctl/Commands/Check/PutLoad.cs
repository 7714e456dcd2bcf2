using System.Diagnostics;
using System.Threading.Channels;
using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Ctl.Commands.Check;

/// <summary>What etcd's report package computes from a run: throughput, slowest, stddev, errors by text.</summary>
internal sealed record LoadStats(double Rps, double Slowest, double Stddev, IReadOnlyDictionary<string, int> Errors);

/// <summary>
/// Puts fed through a bounded queue (as deep as there are clients) to one worker per client;
/// each worker records its own latencies so the hot loop shares nothing.
/// </summary>
internal static class PutLoad
{
    public static async Task<LoadStats> RunAsync(
        IReadOnlyList<EtcdClient> clients, Func<ChannelWriter<PutRequest>, Task> produce, Action? onDone = null)
    {
        var queue = Channel.CreateBounded<PutRequest>(new BoundedChannelOptions(clients.Count) { SingleWriter = true });
        var workers = new Task<Worker>[clients.Count];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < clients.Count; i++)
        {
            workers[i] = Worker.RunAsync(clients[i], queue.Reader, onDone);
        }

        try
        {
            await produce(queue.Writer).ConfigureAwait(false);
        }
        finally
        {
            queue.Writer.Complete();
        }

        Worker[] done = await Task.WhenAll(workers).ConfigureAwait(false);
        double total = clock.Elapsed.TotalSeconds;
        return Summarize(done, total);
    }

    /// <summary>Key bytes after the prefix: a zig-zag varint of a random number over what the buffer held (etcdctl reuses it).</summary>
    public static ByteString NextKey(ByteString prefix, byte[] buffer)
    {
        ulong x = (ulong)Random.Shared.NextInt64(long.MaxValue) << 1;
        int i = 0;
        while (x >= 0x80)
        {
            buffer[i++] = (byte)(x | 0x80);
            x >>= 7;
        }

        buffer[i] = (byte)x;
        byte[] key = new byte[prefix.Length + buffer.Length];
        prefix.Span.CopyTo(key);
        buffer.CopyTo(key, prefix.Length);
        return UnsafeByteOperations.UnsafeWrap(key);
    }

    private static LoadStats Summarize(Worker[] workers, double totalSeconds)
    {
        int count = 0;
        double sum = 0;
        double slowest = 0;
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Worker w in workers)
        {
            count += w.Latencies.Count;
            foreach (double l in w.Latencies)
            {
                sum += l;
                slowest = Math.Max(slowest, l);
            }

            foreach ((string text, int n) in w.Errors)
            {
                errors[text] = errors.GetValueOrDefault(text) + n;
            }
        }

        // 0/0 is NaN as in etcd's report: no successful request prints "NaN".
        double average = sum / count;
        double squares = 0;
        foreach (Worker w in workers)
        {
            foreach (double l in w.Latencies)
            {
                squares += (l - average) * (l - average);
            }
        }

        return new LoadStats(count / totalSeconds, slowest, Math.Sqrt(squares / count), errors);
    }

    private sealed class Worker
    {
        public List<double> Latencies { get; } = new(1024);

        public Dictionary<string, int> Errors { get; } = new(StringComparer.Ordinal);

        public static async Task<Worker> RunAsync(EtcdClient client, ChannelReader<PutRequest> queue, Action? onDone)
        {
            var w = new Worker();
            while (await queue.WaitToReadAsync().ConfigureAwait(false))
            {
                while (queue.TryRead(out PutRequest? request))
                {
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.KV.PutAsync(request).ResponseAsync.ConfigureAwait(false);
                        w.Latencies.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
                    }
                    catch (RpcException e)
                    {
                        string text = EtcdErrorText.Describe(e);
                        w.Errors[text] = w.Errors.GetValueOrDefault(text) + 1;
                    }

                    onDone?.Invoke();
                }
            }

            return w;
        }
    }
}
