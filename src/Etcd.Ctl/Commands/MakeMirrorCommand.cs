using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Google.Protobuf;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>
/// make-mirror: copies the source cluster's keys (under --prefix) to a destination cluster at one
/// revision, then follows the source's watch and replays each revision's events there as one txn,
/// until killed. Every 30 s it prints how many keys it has written, as etcdctl does.
/// </summary>
public static class MakeMirrorCommand
{
    // etcd's mirror syncer reads the base in pages of this many keys.
    private const long PageSize = 1000;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(30);

    public static CommandSpec Create() => new()
    {
        Name = "make-mirror",
        Use = "make-mirror [options] <destination>",
        Short = "Makes a mirror at the destination etcd cluster",
        Flags =
        [
            FlagSpec.String("prefix", "", "Key-value prefix to mirror"),
            FlagSpec.String("dest-prefix", "", "destination prefix to mirror a prefix to a different prefix in the destination cluster"),
            FlagSpec.Bool("no-dest-prefix", "mirror key-values to the root of the destination cluster"),
            FlagSpec.String("dest-cert", "", "Identify secure client using this TLS certificate file for the destination cluster"),
            FlagSpec.String("dest-key", "", "Identify secure client using this TLS key file"),
            FlagSpec.String("dest-cacert", "", "Verify certificates of TLS enabled secure servers using this CA bundle"),
            FlagSpec.Bool("dest-insecure-transport", "Disable transport security for client connections", defaultValue: true),
        ],
        Run = Run,
    };

    private static async Task Run(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        if (ctx.Args.Count != 1)
        {
            throw new CtlExitException(ExitCode.BadArgs, "make-mirror takes one destination argument");
        }

        using EtcdClient destination = await ConnectDestinationAsync(ctx).ConfigureAwait(false);
        using EtcdClient source = await ctx.ConnectAsync().ConfigureAwait(false);
        var counter = new WrittenKeys();
        using var progress = new Timer(_ => counter.Print(ctx.Out), null, ProgressInterval, ProgressInterval);
        try
        {
            await MirrorAsync(ctx, source, destination, counter).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new CtlExitException(ExitCode.Error, EtcdErrorText.Describe(e));
        }
    }

    private static async Task<EtcdClient> ConnectDestinationAsync(CommandContext ctx)
    {
        // The destination has its own TLS flags and no credentials, as etcdctl's.
        EtcdClientOptions global = ctx.ClientOptions([ctx.Args[0]], withAuth: false);
        string cert = ctx.Flags.GetString("dest-cert");
        string key = ctx.Flags.GetString("dest-key");
        string cacert = ctx.Flags.GetString("dest-cacert");
        bool anyFile = cert.Length > 0 || key.Length > 0 || cacert.Length > 0;
        EtcdTlsOptions? tls = anyFile || !ctx.Flags.GetBool("dest-insecure-transport")
            ? new EtcdTlsOptions
            {
                CertFile = cert.Length > 0 ? cert : null,
                KeyFile = key.Length > 0 ? key : null,
                CaCertFile = cacert.Length > 0 ? cacert : null,
            }
            : null;
        try
        {
            return await EtcdClient.ConnectAsync(new EtcdClientOptions
            {
                Endpoints = [ctx.Args[0]],
                DialTimeout = global.DialTimeout,
                KeepAliveTime = global.KeepAliveTime,
                KeepAliveTimeout = global.KeepAliveTimeout,
                Tls = tls,
            }).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new CtlExitException(ExitCode.BadConnection, EtcdErrorText.Describe(e, e.StatusCode == StatusCode.DeadlineExceeded));
        }
    }

    private static async Task MirrorAsync(CommandContext ctx, EtcdClient source, EtcdClient destination, WrittenKeys counter)
    {
        ByteString prefix = KvRequests.Bytes(ctx.Flags.GetString("prefix"));
        // The base revision comes first (etcdctl reads it before checking the prefix flags).
        RangeResponse head = await source.KV.RangeAsync(new RangeRequest { Key = KvRequests.Bytes("foo") }).ResponseAsync.ConfigureAwait(false);
        long revision = head.Header.Revision;
        bool noDestPrefix = ctx.Flags.GetBool("no-dest-prefix");
        string destPrefixFlag = ctx.Flags.GetString("dest-prefix");
        if (noDestPrefix && destPrefixFlag.Length > 0)
        {
            throw new CtlExitException(ExitCode.BadArgs, "`--dest-prefix` and `--no-dest-prefix` cannot be set at the same time, choose one");
        }

        ByteString destPrefix = noDestPrefix || destPrefixFlag.Length > 0 ? KvRequests.Bytes(destPrefixFlag) : prefix;
        var rename = new KeyRename(prefix, destPrefix);

        await CopyBaseAsync(source, destination, prefix, revision, rename, counter).ConfigureAwait(false);
        await FollowAsync(source, destination, prefix, revision, rename, counter).ConfigureAwait(false);
    }

    private static async Task CopyBaseAsync(EtcdClient source, EtcdClient destination, ByteString prefix, long revision, KeyRename rename, WrittenKeys counter)
    {
        // An empty prefix mirrors everything: from the smallest key to the end.
        ByteString key = prefix.IsEmpty ? ByteString.CopyFrom(0) : prefix;
        ByteString end = prefix.IsEmpty ? ByteString.CopyFrom(0) : KeyRange.PrefixEnd(prefix);
        while (true)
        {
            RangeResponse page = await source.KV.RangeAsync(new RangeRequest { Key = key, RangeEnd = end, Limit = PageSize, Revision = revision }).ResponseAsync.ConfigureAwait(false);
            foreach (var kv in page.Kvs)
            {
                await destination.KV.PutAsync(new PutRequest { Key = rename.Apply(kv.Key), Value = kv.Value }).ResponseAsync.ConfigureAwait(false);
                counter.Add(1);
            }

            if (!page.More)
            {
                return;
            }

            key = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]);
        }
    }

    private static async Task FollowAsync(EtcdClient source, EtcdClient destination, ByteString prefix, long revision, KeyRename rename, WrittenKeys counter)
    {
        using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> watch = source.Watch.Watch(new Grpc.Core.Metadata { { "hasleader", "true" } });
        await watch.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = prefix, RangeEnd = KeyRange.PrefixEnd(prefix), StartRevision = revision + 1 },
        }).ConfigureAwait(false);
        while (await watch.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            WatchResponse response = watch.ResponseStream.Current;
            if (response.CompactRevision != 0)
            {
                throw new CtlExitException(ExitCode.Error, "etcdserver: mvcc: required revision has been compacted");
            }

            // One txn per source revision, so the destination never shows half of one.
            var txn = new TxnRequest();
            long lastRevision = 0;
            foreach (var e in response.Events)
            {
                if (lastRevision != 0 && e.Kv.ModRevision > lastRevision)
                {
                    await destination.KV.TxnAsync(txn).ResponseAsync.ConfigureAwait(false);
                    txn = new TxnRequest();
                }

                lastRevision = e.Kv.ModRevision;
                txn.Success.Add(e.Type == Api.Mvccpb.Event.Types.EventType.Put
                    ? new RequestOp { RequestPut = new PutRequest { Key = rename.Apply(e.Kv.Key), Value = e.Kv.Value } }
                    : new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = rename.Apply(e.Kv.Key) } });
                counter.Add(1);
            }

            if (txn.Success.Count > 0)
            {
                await destination.KV.TxnAsync(txn).ResponseAsync.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Replaces the first occurrence of the source prefix in a key with the destination prefix (an empty one matches at the start).</summary>
    private sealed class KeyRename(ByteString from, ByteString to)
    {
        public ByteString Apply(ByteString key)
        {
            if (from.Equals(to))
            {
                return key;
            }

            int at = key.Span.IndexOf(from.Span);
            if (at < 0)
            {
                return key;
            }

            return ByteString.CopyFrom([.. key.Span[..at], .. to.Span, .. key.Span[(at + from.Length)..]]);
        }
    }

    private sealed class WrittenKeys
    {
        private long _count;

        public void Add(long n) => Interlocked.Add(ref _count, n);

        public void Print(Output.ConsoleOutput output)
        {
            lock (output)
            {
                output.WriteLine(Interlocked.Read(ref _count).ToString(System.Globalization.CultureInfo.InvariantCulture));
                output.Flush();
            }
        }
    }
}
