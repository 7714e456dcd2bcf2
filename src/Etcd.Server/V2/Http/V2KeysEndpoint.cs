using System.Globalization;
using System.Text;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.V2.Store;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Features;

namespace Etcd.Server.V2.Http;

/// <summary>
/// /v2/keys: writes and quorum reads go through Raft (etcd's Do); plain reads and watches are
/// served from this member's store. Answers carry the store index (X-Etcd-Index) and the Raft
/// commit index and term as they are once the request is done.
/// </summary>
public sealed class V2KeysEndpoint(EtcdServer server)
{
    private const string Methods = "HEAD,GET,PUT,POST,DELETE";

    public async Task HandleAsync(HttpContext context)
    {
        if (V2Answers.RefuseMethod(context, Methods, out var refused))
        {
            await refused.ConfigureAwait(false);
            return;
        }
        context.Response.Headers[V2Answers.ClusterIdHeader] = V2Answers.Hex(server.ClusterId);
        V2KeyRequest.Parsed parsed;
        try
        {
            parsed = await V2KeyRequest.ParseAsync(context.Request, DecodedPath(context), server.V2Store.NowNanos).ConfigureAwait(false);
        }
        catch (V2Error e)
        {
            await V2Answers.ErrorAsync(context, e).ConfigureAwait(false);
            return;
        }
        var request = parsed.Request;
        // etcd asks its v2 auth store whether auth is on before serving a key, a store read of
        // a key that does not exist: /v2/stats/store counts one failed get per request.
        server.V2Store.Stats.Increment(V2StoreStats.Counter.GetFail);
        // A path that cleaned to outside the keys namespace ("/v2/keys/../0") names no key.
        if (request.Path != V2KeyRequest.StoreKeysPrefix && !request.Path.StartsWith(V2KeyRequest.StoreKeysPrefix + "/", StringComparison.Ordinal))
        {
            await V2Answers.NotFoundAsync(context).ConfigureAwait(false);
            return;
        }
        if (request.Method == "GET" && request.Quorum) request.Method = "QGET";
        try
        {
            switch (request.Method)
            {
                case "GET" when request.Wait:
                    await WatchAsync(context, request).ConfigureAwait(false);
                    return;
                case "GET" or "HEAD":
                    await WriteEventAsync(context, server.V2Store.Get(request.Path, request.Recursive, request.Sorted), parsed.NoValueOnSuccess).ConfigureAwait(false);
                    return;
                default:
                    var outcome = await server.ProposeV2Async(request, context.RequestAborted).ConfigureAwait(false);
                    if (outcome.Error is { } error) throw error;
                    if (outcome.Event is not { } applied) throw V2Error.Request(V2Error.RaftInternal, "received response with no Event/Watcher");
                    await WriteEventAsync(context, applied, parsed.NoValueOnSuccess).ConfigureAwait(false);
                    return;
            }
        }
        catch (V2Error e)
        {
            if (e.Cause.StartsWith(V2KeyRequest.StoreKeysPrefix, StringComparison.Ordinal)) e.Cause = e.Cause[V2KeyRequest.StoreKeysPrefix.Length..];
            await V2Answers.ErrorAsync(context, e).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            // Raft's failures (timeout, no leader, stopping) are etcd's "Raft Internal Error".
            await V2Answers.ErrorAsync(context, V2Error.Request(V2Error.RaftInternal, e.Message)).ConfigureAwait(false);
        }
    }

    private Task WriteEventAsync(HttpContext context, V2Event e, bool noValueOnSuccess)
    {
        SetIndexHeaders(context, e.EtcdIndex);
        var text = new StringBuilder(256);
        var withNodes = !(noValueOnSuccess && e.Action is V2Event.Set or V2Event.CompareAndSwap or V2Event.Create or V2Event.Update);
        V2Json.AppendEvent(text, e, V2KeyRequest.StoreKeysPrefix, withNodes);
        return V2Answers.JsonAsync(context, e.IsCreated ? 201 : 200, text.ToString());
    }

    private async Task WatchAsync(HttpContext context, Request request)
    {
        var watcher = server.V2Store.Watch(request.Path, request.Recursive, request.Stream, request.Since);
        try
        {
            var response = context.Response;
            SetIndexHeaders(context, watcher.StartIndex);
            response.StatusCode = 200;
            response.ContentType = "application/json";
            await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            var text = new StringBuilder(256);
            await foreach (var e in watcher.Events.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
            {
                text.Clear();
                V2Json.AppendEvent(text, e, V2KeyRequest.StoreKeysPrefix);
                await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()), context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                if (!request.Stream) break;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            watcher.Remove();
        }
    }

    private void SetIndexHeaders(HttpContext context, ulong etcdIndex)
    {
        var headers = context.Response.Headers;
        headers["X-Etcd-Index"] = etcdIndex.ToString(CultureInfo.InvariantCulture);
        headers["X-Raft-Index"] = server.Raft.CommitIndex.ToString(CultureInfo.InvariantCulture);
        headers["X-Raft-Term"] = server.Raft.Term.ToString(CultureInfo.InvariantCulture);
    }

    // Go's handler sees the path fully decoded (an escaped '/' included); ASP.NET keeps %2F, so decode the raw target.
    private static string DecodedPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?');
        if (query >= 0) raw = raw[..query];
        if (raw.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || raw.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            raw = context.Request.Path.Value ?? "";
        try
        {
            return Uri.UnescapeDataString(raw);
        }
        catch (UriFormatException)
        {
            return context.Request.Path.Value ?? "";
        }
    }
}
