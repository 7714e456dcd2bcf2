using System.Collections.Concurrent;
using Etcd.Raft;
using Etcd.Raft.Raftpb;
using Etcd.Server.Logging;
using Etcd.Server.Replication;
using Google.Protobuf;

namespace Etcd.Server.Tests.Raft;

/// <summary>
/// What the transport tells the Raft loop reaches Raft. Both reports used to be stepped as
/// messages, which RawNode refuses for local message types: a leader whose snapshot send broke
/// kept the follower in Snapshot state for good, and never marked an unreachable peer.
/// </summary>
public sealed class RaftNodeReportTests : IAsyncLifetime
{
    private const ulong Leader = 1;
    private const ulong Follower = 2;
    private readonly RecordingPeers _peers = new();
    private RaftNode _node = null!;
    private Message _snapshot = null!;

    public async Task InitializeAsync()
    {
        // A two-voter member whose log starts at a snapshot at index 10: a follower that has
        // nothing can only be caught up by snapshot.
        var recovered = new RecoveredLog(
            new Snapshot { Metadata = new SnapshotMetadata { Index = 10, Term = 1, ConfState = new ConfState { Voters = { Leader, Follower } } } },
            new HardState { Term = 1, Commit = 10 }, []);
        var state = new StateAt(10);
        var raft = MemberRaft.Create(new MemberRaftSettings
        {
            MemberId = Leader,
            ElectionTicks = 10,
            PreVote = false,
            SnapshotCount = 10_000,
            SnapshotCatchUpEntries = 100,
            Random = new Random(1),
        }, new NoLog(), recovered, null, state, _peers, ZapLogger.Discard);
        // Ticks never come: the test decides every step.
        _node = new RaftNode(raft.Node, raft.Readies, state, ZapLogger.Discard, TimeSpan.FromHours(1));
        _node.Start();
        _node.Campaign();
        var vote = await _peers.NextAsync(MessageType.MsgVote);
        _node.Step(new Message { Type = MessageType.MsgVoteResp, From = Follower, To = Leader, Term = vote.Term });
        var append = await _peers.NextAsync(MessageType.MsgApp);
        // The follower has nothing at all: the leader falls back to a snapshot.
        _node.Step(new Message { Type = MessageType.MsgAppResp, From = Follower, To = Leader, Term = append.Term, Index = append.Index, Reject = true, RejectHint = 0 });
        _snapshot = await _peers.NextAsync(MessageType.MsgSnap);
        Assert.Equal(ProgressState.Snapshot, (await FollowerProgressAsync()).State);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task AFailedSnapshotSendPutsTheFollowerBackToProbing()
    {
        _node.ReportSnapshot(Follower, SnapshotStatus.Failure);
        await UntilAsync(progress => progress.State == ProgressState.Probe);
    }

    [Fact]
    public async Task AnUnreachableFollowerInReplicationIsProbedAgain()
    {
        // The follower installed the snapshot and says so.
        _node.ReportSnapshot(Follower, SnapshotStatus.Finish);
        _node.Step(new Message { Type = MessageType.MsgAppResp, From = Follower, To = Leader, Term = _snapshot.Term, Index = _snapshot.Snapshot.Metadata.Index });
        await UntilAsync(progress => progress.State == ProgressState.Replicate);

        _node.ReportUnreachable(Follower);
        await UntilAsync(progress => progress.State == ProgressState.Probe);
    }

    private async Task<ProgressStatus> FollowerProgressAsync() => (await _node.StatusAsync()).Progress[Follower];

    private async Task UntilAsync(Func<ProgressStatus, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        ProgressStatus progress;
        while (!condition(progress = await FollowerProgressAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the follower's progress stayed {progress}");
            await Task.Delay(10);
        }
    }

    /// <summary>The transport: records what the leader sends, for the test to answer.</summary>
    private sealed class RecordingPeers : IPeerSender
    {
        private readonly SemaphoreSlim _arrived = new(0);
        private readonly ConcurrentQueue<Message> _queue = new();

        public void Send(IReadOnlyList<Message> messages)
        {
            foreach (var message in messages)
            {
                _queue.Enqueue(message.Clone());
                _arrived.Release();
            }
        }

        public async Task<Message> NextAsync(MessageType type)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
            {
                await _arrived.WaitAsync(timeout.Token);
                if (_queue.TryDequeue(out var message) && message.Type == type) return message;
            }
        }
    }

    private sealed class StateAt(ulong applied) : IStateMachine
    {
        public ulong AppliedIndex { get; private set; } = applied;

        public ConfState ConfState { get; } = new() { Voters = { Leader, Follower } };

        public void Apply(IReadOnlyList<Entry> entries, RawNode node) => AppliedIndex = entries[^1].Index;

        public void Restore(Snapshot snapshot) => throw new NotSupportedException();

        public ByteString SnapshotData() => ByteString.Empty;

        public void Flush()
        {
        }
    }

    private sealed class NoLog : IRaftDurableLog
    {
        public void Save(HardState? hardState, IReadOnlyList<Entry> entries, bool sync)
        {
        }

        public void SaveSnapshot(Snapshot snapshot)
        {
        }

        public void ReleaseTo(ulong index)
        {
        }

        public void Dispose()
        {
        }
    }
}
