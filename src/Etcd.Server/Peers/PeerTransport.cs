using System.Collections.Concurrent;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Membership;
using Etcd.Server.Replication;
using Etcd.Storage.Backend;
using Grpc.Core;

namespace Etcd.Server.Peers;

/// <summary>
/// Sends this member's Raft messages to the others: one <see cref="PeerLink"/> per member for
/// ordinary messages, a <see cref="SnapshotSender"/> per MsgSnap. Where a member is found comes
/// from the applied member list, or, before the log has told us (a member joining a running
/// cluster, a sender we have not heard of yet), from what peers announced.
/// </summary>
public sealed class PeerTransport : IPeerSender, IAsyncDisposable
{
    private readonly ConcurrentDictionary<ulong, PeerLink> _links = new();
    private readonly ConcurrentDictionary<ulong, IReadOnlyList<string>> _announced = new();
    private readonly ClusterMembers _members;
    private readonly IReadOnlyList<string> _localUrls;
    private readonly Func<IBackend> _backend;
    private readonly ZapLogger _logger;
    private readonly Lock _linksLock = new();
    private RaftNode? _raft;
    private volatile bool _disposed;

    public PeerTransport(ulong localId, IReadOnlyList<string> localPeerUrls, ClusterMembers members, Func<IBackend> backend, ZapLogger logger,
        PeerChannels channels)
    {
        Channels = channels;
        LocalId = localId;
        _localUrls = localPeerUrls;
        _members = members;
        _backend = backend;
        _logger = logger;
        members.Changed += OnMembersChanged;
    }

    public ulong LocalId { get; }

    /// <summary>How channels to other members are opened (cleartext or this member's peer TLS).</summary>
    public PeerChannels Channels { get; }

    internal ZapLogger Logger => _logger;

    /// <summary>The node that receives what the transport reports (unreachable members, snapshot outcomes).</summary>
    public void Attach(RaftNode raft) => _raft = raft;

    /// <summary>Where <paramref name="id"/> can be reached before the applied member list says so.</summary>
    public void AddRemote(ulong id, IReadOnlyList<string> urls)
    {
        if (id == LocalId || urls.Count == 0 || _members.Find(id) is not null) return;
        if (!_announced.TryAdd(id, urls)) return;
        _logger.Info("added new remote peer", LogField.Id("local-member-id", LocalId), LogField.Id("remote-peer-id", id), LogField.Of("remote-peer-urls", urls));
        LinkTo(id);
    }

    /// <summary>
    /// Opens a stream to every member now, not only when Raft first has something for it: two
    /// followers exchange nothing, yet the strict reconfiguration checks want to know that each
    /// reaches the other (etcd keeps streams to all members for the same reason).
    /// </summary>
    public void ConnectAll()
    {
        foreach (var member in _members.All)
        {
            if (member.Id != LocalId) LinkTo(member.Id);
        }
    }

    /// <summary>Whether a stream to <paramref name="id"/> is up (etcd's "active peer").</summary>
    public bool IsActive(ulong id) => _links.TryGetValue(id, out var link) && link.IsActive;

    /// <summary>Whether a stream to <paramref name="id"/> has been up for at least <paramref name="period"/>.</summary>
    public bool IsActiveFor(ulong id, TimeSpan period) =>
        _links.TryGetValue(id, out var link) && link.ActiveSince is var since && since != 0
        && Environment.TickCount64 - since >= (long)period.TotalMilliseconds;

    /// <summary>Called on the Raft loop: never blocks; what cannot be queued is dropped and reported.</summary>
    public void Send(IReadOnlyList<Message> messages)
    {
        if (_disposed) return;
        foreach (var message in messages)
        {
            if (message.To == LocalId || message.To == 0) continue;
            if (message.Type == MessageType.MsgSnap)
            {
                SendSnapshot(message);
                continue;
            }
            var link = LinkTo(message.To);
            if (link is null)
            {
                _raft?.ReportUnreachable(message.To);
                continue;
            }
            if (link.TryEnqueue(message)) continue;
            _raft?.ReportUnreachable(message.To);
            if (link.IsDown) continue; // its failure was logged once when the stream broke
            if (link.ShouldWarnDrop())
            {
                _logger.Warn("dropped internal Raft message since sending buffer is full (overloaded network)",
                    LogField.Of("message-type", message.Type.ToString()), LogField.Id("local-member-id", LocalId),
                    LogField.Id("from", message.From), LogField.Id("remote-peer-id", message.To), LogField.Of("remote-peer-active", link.IsActive));
            }
        }
    }

    private void SendSnapshot(Message message)
    {
        var urls = UrlsOf(message.To);
        if (urls is null)
        {
            _raft?.ReportUnreachable(message.To);
            _raft?.ReportSnapshot(message.To, SnapshotStatus.Failure);
            return;
        }
        // The view is taken now, on the Raft loop, so it holds exactly the applied state the
        // message's metadata names; it is read out while the loop goes on.
        var view = _backend().Snapshot();
        _ = new SnapshotSender(this, message, urls, view).RunAsync();
    }

    internal void ReportSnapshot(ulong peer, SnapshotStatus status) => _raft?.ReportSnapshot(peer, status);

    internal void ReportUnreachable(ulong peer) => _raft?.ReportUnreachable(peer);

    internal Metadata HeadersFor(ulong peer) => PeerHeaders.For(_members.ClusterId, LocalId, peer, _localUrls);

    private PeerLink? LinkTo(ulong id)
    {
        if (_links.TryGetValue(id, out var link)) return link;
        if (_disposed || _members.IsRemoved(id) || UrlsOf(id) is not { } urls) return null;
        lock (_linksLock)
        {
            if (_disposed) return null;
            if (_links.TryGetValue(id, out link)) return link;
            link = new PeerLink(id, urls, this);
            _links[id] = link;
        }
        _logger.Info("added remote peer", LogField.Id("local-member-id", LocalId), LogField.Id("remote-peer-id", id), LogField.Of("remote-peer-urls", urls));
        return link;
    }

    private IReadOnlyList<string>? UrlsOf(ulong id)
    {
        if (_members.Find(id) is { PeerUrls.Count: > 0 } member) return member.PeerUrls;
        return _announced.TryGetValue(id, out var urls) ? urls : null;
    }

    /// <summary>On the apply loop: connect to new members, forget removed ones, follow changed URLs.</summary>
    private void OnMembersChanged()
    {
        ConnectAll();
        foreach (var (id, link) in _links)
        {
            if (_members.IsRemoved(id))
            {
                _announced.TryRemove(id, out _);
                if (_links.TryRemove(id, out _))
                {
                    _ = link.DisposeAsync().AsTask();
                    _logger.Info("removed remote peer", LogField.Id("local-member-id", LocalId), LogField.Id("removed-remote-peer-id", id));
                }
                continue;
            }
            if (_members.Find(id) is { } member && !member.PeerUrls.SequenceEqual(link.Urls))
            {
                link.UpdateUrls(member.PeerUrls);
                _logger.Info("updated remote peer", LogField.Id("local-member-id", LocalId), LogField.Id("updated-remote-peer-id", id),
                    LogField.Of("updated-remote-peer-urls", member.PeerUrls));
            }
        }
    }

    /// <summary>A stream was accepted by the member.</summary>
    internal void OnStreamActive(PeerLink link) =>
        _logger.Info("peer became active", LogField.Id("peer-id", link.PeerId));

    /// <summary>
    /// A stream failed or was refused. Returns whether the failure is a fresh one (the link had
    /// been working), so the caller starts its back-off from the shortest delay.
    /// </summary>
    internal bool OnStreamFailed(PeerLink link, Exception error, bool wasActive)
    {
        if (error is RpcException refused)
        {
            if (PeerRejection.Is(refused, PeerRejection.ClusterIdMismatch))
            {
                _logger.Warn("request sent was ignored by remote peer due to cluster ID mismatch",
                    LogField.Id("remote-peer-id", link.PeerId), LogField.Of("remote-peer-cluster-id", refused.Trailers.GetValue(PeerHeaders.ClusterId)),
                    LogField.Id("local-member-id", LocalId), LogField.Id("local-member-cluster-id", _members.ClusterId),
                    LogField.Of("error", PeerRejection.ClusterIdMismatch));
                return false;
            }
            if (PeerRejection.Is(refused, PeerRejection.RemovedMember))
            {
                OnRemovedFromCluster();
                return false;
            }
        }
        if (wasActive)
        {
            _logger.Warn("peer became inactive (message send to peer failed)", LogField.Id("peer-id", link.PeerId),
                LogField.Of("error", error is RpcException rpc ? rpc.Status.Detail : error.Message));
        }
        return wasActive;
    }

    /// <summary>Raised when a peer refuses us because we were removed: this member must stop (etcd's errMemberRemoved).</summary>
    public event Action? RemovedFromCluster;

    internal void OnRemovedFromCluster()
    {
        if (Interlocked.Exchange(ref _removedReported, 1) == 0) RemovedFromCluster?.Invoke();
    }

    private int _removedReported;

    public async ValueTask DisposeAsync()
    {
        _members.Changed -= OnMembersChanged;
        PeerLink[] links;
        lock (_linksLock)
        {
            _disposed = true;
            links = [.. _links.Values];
            _links.Clear();
        }
        foreach (var link in links) await link.DisposeAsync().ConfigureAwait(false);
    }
}
