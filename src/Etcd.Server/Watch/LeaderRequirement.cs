using Etcd.Server.Api;
using Etcd.Server.Replication;
using Grpc.Core;

namespace Etcd.Server.Watch;

/// <summary>
/// etcd's "require leader" for streams: a client that sends the metadata <c>hasleader: true</c>
/// is refused while this member knows no leader, and its stream is ended with "etcdserver: no
/// leader" once the member has been without one for three election timeouts (etcd waits that
/// long because reconnecting streams costs more than refusing new requests).
/// </summary>
public sealed class LeaderRequirement
{
    /// <summary>etcd's metadata key and value for the requirement.</summary>
    public const string MetadataKey = "hasleader";
    public const string MetadataValue = "true";

    private const int ElectionTimeoutsWithoutLeader = 3;

    private readonly RaftNode _raft;
    private readonly TimeSpan _electionTimeout;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly HashSet<Registration> _streams = [];
    private long _leaderlessSince;

    public LeaderRequirement(RaftNode raft, TimeSpan electionTimeout, TimeProvider time)
    {
        _raft = raft;
        _electionTimeout = electionTimeout;
        _time = time;
        raft.LeaderChanged += OnLeaderChanged;
    }

    /// <summary>
    /// For a stream whose client requires a leader: throws "etcdserver: no leader" when there is
    /// none, else registers the stream; its token fires when the leader is lost for good.
    /// Null when the client did not ask.
    /// </summary>
    public Registration? Enter(ServerCallContext context)
    {
        if (!Requires(context.RequestHeaders)) return null;
        if (_raft.Leader == 0) throw EtcdErrors.NoLeader;
        var registration = new Registration(this, context.CancellationToken);
        lock (_lock) _streams.Add(registration);
        return registration;
    }

    private static bool Requires(Metadata headers)
    {
        foreach (var entry in headers)
        {
            if (entry.Key == MetadataKey && entry.Value == MetadataValue) return true;
        }
        return false;
    }

    private void OnLeaderChanged(ulong leader)
    {
        if (leader != 0) return;
        var since = _time.GetTimestamp();
        Interlocked.Exchange(ref _leaderlessSince, since);
        _ = CancelIfStillLeaderlessAsync(since);
    }

    private async Task CancelIfStillLeaderlessAsync(long since)
    {
        await Task.Delay(_electionTimeout * ElectionTimeoutsWithoutLeader, _time).ConfigureAwait(false);
        // A leader came (and maybe went again, starting a newer wait) in the meantime.
        if (_raft.Leader != 0 || Interlocked.Read(ref _leaderlessSince) != since) return;
        Registration[] streams;
        lock (_lock)
        {
            streams = [.. _streams];
            _streams.Clear();
        }
        foreach (var stream in streams) stream.LoseLeader();
    }

    /// <summary>One stream that requires a leader; dispose when the stream ends.</summary>
    public sealed class Registration : IDisposable
    {
        private readonly LeaderRequirement _owner;
        private readonly CancellationTokenSource _cancel;

        internal Registration(LeaderRequirement owner, CancellationToken callToken)
        {
            _owner = owner;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(callToken);
        }

        /// <summary>Fires when the call ends or the leader is lost.</summary>
        public CancellationToken Token => _cancel.Token;

        /// <summary>The stream was ended because the member lost its leader.</summary>
        public bool LeaderLost { get; private set; }

        internal void LoseLeader()
        {
            LeaderLost = true;
            try
            {
                _cancel.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            lock (_owner._lock) _owner._streams.Remove(this);
            _cancel.Dispose();
        }
    }
}
