using System.Threading.Channels;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Peers.Protocol;
using Grpc.Core;
using Grpc.Net.Client;

namespace Etcd.Server.Peers;

/// <summary>
/// The outgoing half of the connection to one other member: a bounded queue of Raft messages and
/// one task that streams them to the member, reconnecting with back-off when the stream breaks.
/// The Raft loop only ever enqueues; when the queue is full (the member is slow or gone) the
/// message is dropped and Raft told the member is unreachable, as etcd does: Raft resends what
/// matters, and a full queue must never stall the loop.
/// </summary>
public sealed class PeerLink : IAsyncDisposable
{
    // etcd's stream buffer: enough for a burst of appends during an election or a slow disk.
    public const int QueueCapacity = 4096;

    // Messages written as one gRPC message; Raft already caps an append at --max-size-per-msg.
    private const int MaxBatchMessages = 128;

    // A write that does not complete in this time means the member stopped reading (etcd's
    // ConnWriteTimeout); the stream is dropped and rebuilt.
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan IdleProbeInterval = TimeSpan.FromSeconds(1);

    private readonly Channel<Message> _queue = Channel.CreateBounded<Message>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private readonly PeerTransport _transport;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sending;
    private volatile IReadOnlyList<string> _urls;
    private int _urlIndex;
    private bool _active;
    private volatile bool _down;
    private long _activeSince;
    private long _lastDropWarning;

    public PeerLink(ulong peerId, IReadOnlyList<string> urls, PeerTransport transport)
    {
        PeerId = peerId;
        _metricsLabel = Metrics.EtcdMetrics.PeerLabel("To", peerId);
        _urls = urls;
        _transport = transport;
        _sending = Task.Run(SendLoopAsync);
    }

    public ulong PeerId { get; }

    // etcd_network_peer_sent_bytes_total's label for this peer, made once.
    private readonly string _metricsLabel;

    public IReadOnlyList<string> Urls => _urls;

    /// <summary>Whether the last stream to the member was accepted and has not failed since.</summary>
    public bool IsActive => Volatile.Read(ref _active);

    /// <summary>When the current stream was accepted (<see cref="Environment.TickCount64"/>), 0 when there is none.</summary>
    public long ActiveSince => Volatile.Read(ref _activeSince);

    /// <summary>The member's peer URLs changed (MemberUpdate); the next connection uses the new ones.</summary>
    public void UpdateUrls(IReadOnlyList<string> urls) => _urls = urls;

    /// <summary>
    /// Queues a message without waiting; false when the queue is full, or when the last stream
    /// failed and no new one is up yet. Holding messages for a member that is gone would hand it
    /// a burst of stale appends when it comes back; as with etcd, they are dropped and Raft,
    /// told the member is unreachable, probes it again (and sends a snapshot if it needs one).
    /// </summary>
    public bool TryEnqueue(Message message) => !_down && _queue.Writer.TryWrite(message);

    /// <summary>The last stream failed and no new one has been accepted since.</summary>
    public bool IsDown => _down;

    /// <summary>The URL to use now; moves on to the next one after a failure.</summary>
    public string CurrentUrl
    {
        get
        {
            var urls = _urls;
            return urls[(int)((uint)_urlIndex % (uint)urls.Count)];
        }
    }

    /// <summary>At most one "dropped" warning per second per member: a dead member would flood the log.</summary>
    public bool ShouldWarnDrop()
    {
        var now = Environment.TickCount64;
        if (now - Volatile.Read(ref _lastDropWarning) < 1000) return false;
        Volatile.Write(ref _lastDropWarning, now);
        return true;
    }

    private async Task SendLoopAsync()
    {
        var backoff = MinBackoff;
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var channel = _transport.Channels.Open(CurrentUrl);
                await StreamAsync(new RaftPeer.RaftPeerClient(channel), stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (_transport.OnStreamFailed(this, e, Volatile.Read(ref _active))) backoff = MinBackoff;
                Metrics.EtcdMetrics.PeerSentFailures.Add(_metricsLabel, 1);
                _down = true;
                Volatile.Write(ref _active, false);
                Volatile.Write(ref _activeSince, 0);
                _urlIndex++;
                // What was queued for the broken stream is stale by the time a new one is up.
                var dropped = false;
                while (_queue.Reader.TryRead(out _)) dropped = true;
                if (dropped) _transport.ReportUnreachable(PeerId);
            }
            try
            {
                await Task.Delay(backoff, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task StreamAsync(RaftPeer.RaftPeerClient client, CancellationToken stop)
    {
        using var callCancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        callCancel.CancelAfter(PeerChannels.DialTimeout + WriteTimeout);
        using var call = client.Stream(_transport.HeadersFor(PeerId), cancellationToken: callCancel.Token);
        // The member answers with headers once it has accepted us (right cluster, right member).
        await call.ResponseHeadersAsync.ConfigureAwait(false);
        ThrowIfRefused(call);
        callCancel.CancelAfter(Timeout.InfiniteTimeSpan);
        _down = false;
        Volatile.Write(ref _active, true);
        Volatile.Write(ref _activeSince, Environment.TickCount64);
        _transport.OnStreamActive(this);

        var reader = _queue.Reader;
        var batch = new MessageBatch();
        var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
        try
        {
            while (true)
            {
                // Between members that have nothing to say (two followers) the stream stays up so
                // that each knows the other is reachable; an empty batch now and then finds out
                // whether it still is.
                idle.CancelAfter(IdleProbeInterval);
                try
                {
                    if (!await reader.WaitToReadAsync(idle.Token).ConfigureAwait(false)) return;
                    idle.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    idle.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
                }
                batch.Messages.Clear();
                while (batch.Messages.Count < MaxBatchMessages && reader.TryRead(out var message)) batch.Messages.Add(message);
                callCancel.CancelAfter(WriteTimeout);
                await call.RequestStream.WriteAsync(batch, callCancel.Token).ConfigureAwait(false);
                Metrics.EtcdMetrics.PeerSentBytes.Add(_metricsLabel, batch.CalculateSize());
                callCancel.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
        finally
        {
            idle.Dispose();
        }
    }

    /// <summary>A refusal ends the call before any header is sent: the status is already there.</summary>
    private static void ThrowIfRefused(AsyncClientStreamingCall<MessageBatch, StreamClosed> call)
    {
        Status status;
        try
        {
            status = call.GetStatus();
        }
        catch (InvalidOperationException)
        {
            // Still running: accepted.
            return;
        }
        if (status.StatusCode != StatusCode.OK) throw new RpcException(status, call.GetTrailers());
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _sending.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
