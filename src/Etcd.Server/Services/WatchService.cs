using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Server.Api;
using Etcd.Server.Core;
using Etcd.Server.Watch;
using Grpc.Core;

namespace Etcd.Server.Services;

/// <summary>
/// etcd's Watch service: one bidirectional stream per session. Requests (create, cancel,
/// progress) are read on one side; the session's ordered response queue is written on the other,
/// buffering while more responses wait so a burst leaves in few network writes.
/// </summary>
public sealed class WatchService(EtcdServer server) : WatchServiceBase
{
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);
    private static readonly WriteOptions Flushing = new();
    private const int FlushEvery = 128;

    public override async Task Watch(IAsyncStreamReader<WatchRequest> requestStream, IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context)
    {
        using var leaderRequired = server.LeaderRequirement.Enter(context);
        var token = leaderRequired?.Token ?? context.CancellationToken;
        var session = server.Watches.OpenSession();
        var sending = Task.CompletedTask;
        try
        {
            var receiving = ReceiveAsync(requestStream, session, context, token);
            sending = SendAsync(responseStream, session, token);
            // A client that half-closes its side keeps receiving, as with etcd; the stream ends
            // when the call does, or when receiving fails.
            var first = await Task.WhenAny(receiving, sending).ConfigureAwait(false);
            if (first == receiving && receiving.IsCompletedSuccessfully) await sending.ConfigureAwait(false);
            else await first.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (leaderRequired?.LeaderLost == true)
        {
            throw EtcdErrors.NoLeader;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            throw EtcdErrors.WatchCanceled;
        }
        finally
        {
            session.Close();
            // The writer must be done before the call completes (gRPC refuses writes after it);
            // closing the session ends it, and whatever it hit on the way out no longer matters.
            try
            {
                await sending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
            {
            }
        }
    }

    private async Task ReceiveAsync(IAsyncStreamReader<WatchRequest> requests, WatchSession session, ServerCallContext context, CancellationToken token)
    {
        while (await requests.MoveNext(token).ConfigureAwait(false))
        {
            var request = requests.Current;
            switch (request.RequestUnionCase)
            {
                case WatchRequest.RequestUnionOneofCase.CreateRequest:
                    if (server.Auth.Enabled && await RefusalAsync(request.CreateRequest, context).ConfigureAwait(false) is { } reason)
                    {
                        session.Refuse(reason);
                        break;
                    }
                    session.Create(request.CreateRequest);
                    break;
                case WatchRequest.RequestUnionOneofCase.CancelRequest:
                    session.Cancel(request.CancelRequest.WatchId);
                    break;
                case WatchRequest.RequestUnionOneofCase.ProgressRequest:
                    session.RequestProgress();
                    break;
            }
        }
    }

    /// <summary>
    /// Why the caller may not watch the requested range, in the words etcd puts in the cancel
    /// reason (the gRPC error's full text), or null when it may.
    /// </summary>
    private async Task<string?> RefusalAsync(WatchCreateRequest request, ServerCallContext context)
    {
        EtcdException? refused;
        try
        {
            var caller = await server.Callers.ResolveAsync(context).ConfigureAwait(false) ?? Authentication.AuthInfo.Anonymous;
            // etcd 3.4 checks a watch from a key on ("\0" as range end) as a watch of that key
            // alone (GHSA-xg4h-6gfc-h4m8): here it is checked as the open range it watches.
            var key = request.Key.IsEmpty ? [0] : request.Key.Span;
            refused = server.Auth.CheckRange(caller, key, request.RangeEnd.Span);
        }
        catch (EtcdException e)
        {
            refused = e;
        }
        return refused is null ? null : $"rpc error: code = {refused.Code} desc = {refused.Message}";
    }

    private static async Task SendAsync(IServerStreamWriter<WatchResponse> responses, WatchSession session, CancellationToken token)
    {
        // Serialization is done by the time a write returns, so one message can carry every
        // response made of shared events in turn.
        var carrier = new WatchResponse();
        var unflushed = 0;
        var pacing = new WatchStreamPacing();
        while (await session.WaitToTakeAsync(token).ConfigureAwait(false))
        {
            var pause = pacing.PauseBefore(Stopwatch.GetTimestamp());
            if (pause > TimeSpan.Zero) await session.WaitForBacklogAsync(WatchSession.BacklogLimit * 3 / 4, pause, token).ConfigureAwait(false);
            pacing.Draining(Stopwatch.GetTimestamp());
            while (session.TryTake(carrier, out var response, out var more))
            {
                pacing.Wrote(response.Events.Count);
                // Flush with the last queued response (one network write for a burst), and every
                // FlushEvery responses: a flush waits while the client is not reading, and what
                // stays queued meanwhile is merged into fewer, larger responses, as etcd batches
                // for a watcher that is behind. Without it a burst is taken whole into memory.
                unflushed++;
                var flush = !more || unflushed >= FlushEvery;
                if (flush) unflushed = 0;
                responses.WriteOptions = flush ? Flushing : Buffered;
                await responses.WriteAsync(response, token).ConfigureAwait(false);
            }
        }
    }
}
