using Etcd.Api.Etcdserverpb;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Google.Protobuf;

namespace Etcd.Ctl.Commands.Check;

/// <summary>The steps both checks share: the empty-prefix precondition, connecting the clients, deleting, compacting, defragmenting.</summary>
internal static class CheckCleanup
{
    public static async Task<EtcdClient[]> ConnectAsync(CommandContext ctx, int count)
    {
        var clients = new EtcdClient[count];
        clients[0] = await ctx.ConnectAsync().ConfigureAwait(false);
        for (int i = 1; i < count; i++)
        {
            // Own connections, as etcdctl makes one client per worker; the token is shared.
            clients[i] = clients[0].ForEndpoint(clients[0].Endpoint);
        }

        return clients;
    }

    public static async Task RequireEmptyPrefixAsync(CommandContext ctx, EtcdClient client, string prefix, DateTime? deadline)
    {
        ByteString key = ByteString.CopyFromUtf8(prefix);
        var request = new RangeRequest { Key = key, RangeEnd = KeyRange.PrefixEnd(key), Limit = 1 };
        RangeResponse response;
        try
        {
            response = await ctx.CallAsync(client, d => client.KV.RangeAsync(request, deadline: deadline), deadline ?? DateTime.MaxValue).ConfigureAwait(false);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.Error, e.Message);
        }

        if (response.Kvs.Count > 0)
        {
            throw new CtlExitException(ExitCode.InvalidInput, "prefix " + GoText.QuoteString(prefix) + " has keys. Delete with etcdctl del --prefix " + prefix + " first");
        }
    }

    /// <summary>Deletes the prefix, then compacts and defragments as the flags ask; lines go through <paramref name="print"/>.</summary>
    public static async Task CleanUpAsync(CommandContext ctx, EtcdClient client, string prefix, DateTime? deleteDeadline, Action<string> print)
    {
        ByteString key = ByteString.CopyFromUtf8(prefix);
        var delete = new DeleteRangeRequest { Key = key, RangeEnd = KeyRange.PrefixEnd(key) };
        DeleteRangeResponse deleted = await Call(ctx, client, d => client.KV.DeleteRangeAsync(delete, deadline: deleteDeadline), deleteDeadline).ConfigureAwait(false);
        if (ctx.Flags.GetBool("auto-compact"))
        {
            long revision = deleted.Header.Revision;
            print("Compacting with revision " + GoText.Dec(revision));
            var compact = new CompactionRequest { Revision = revision, Physical = true };
            DateTime d30 = DateTime.UtcNow.AddSeconds(30);
            await Call(ctx, client, d => client.KV.CompactAsync(compact, deadline: d30), d30).ConfigureAwait(false);
            print("Compacted with revision " + GoText.Dec(revision));
        }

        if (ctx.Flags.GetBool("auto-defrag"))
        {
            foreach (string endpoint in client.Options.Endpoints)
            {
                print("Defragmenting " + GoText.QuoteString(endpoint));
                using EtcdClient member = client.ForEndpoint(endpoint);
                DateTime d30 = DateTime.UtcNow.AddSeconds(30);
                await Call(ctx, member, d => member.Maintenance.DefragmentAsync(new DefragmentRequest(), deadline: d30), d30).ConfigureAwait(false);
                print("Defragmented " + GoText.QuoteString(endpoint));
            }
        }
    }

    private static async Task<T> Call<T>(CommandContext ctx, EtcdClient client, Func<DateTime, Grpc.Core.AsyncUnaryCall<T>> call, DateTime? deadline)
    {
        try
        {
            return await ctx.CallAsync(client, call, deadline ?? DateTime.MaxValue).ConfigureAwait(false);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.Error, e.Message);
        }
    }
}
