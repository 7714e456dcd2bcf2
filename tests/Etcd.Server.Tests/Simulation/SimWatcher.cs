using Etcd.Api.Etcdserverpb;
using Etcd.Server.Watch;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// A client watching every key from the first revision through the server's watch hub of some
/// member, as a Kubernetes informer does: when its member dies it reconnects to another from the
/// revision after the last it saw. Checked on every response: events come in revision order with
/// no revision missing (every revision changes some key, so a watcher of all keys sees each) and
/// none repeated, and each revision's events are the same as every other watcher saw for it, on
/// whichever member. A start compacted away is answered with the compaction revision, which is
/// where the client goes on from, as etcd's clients do.
/// </summary>
internal sealed class SimWatcher(ClusterSim sim, int number)
{
    private SimMember? _member;
    private int _incarnation;
    private WatchSession? _session;

    /// <summary>The newest revision whose events this client has; an empty store is at revision 1, which has none.</summary>
    public long Last { get; private set; } = 1;

    public int Number => number;

    /// <summary>Connects to a member when it has none (its member died), then takes what has arrived.</summary>
    public void Step()
    {
        if (_member is not null && (!_member.IsUp || _member.Incarnation != _incarnation))
        {
            sim.Trace($"watcher {number} loses member {_member.Id}");
            _member = null;
            _session = null;
        }
        if (_member is null)
        {
            var up = sim.UpMembers();
            if (up.Count == 0) return;
            _member = up[sim.Random.Next(up.Count)];
            _incarnation = _member.Incarnation;
            _session = _member.Watches.OpenSession();
            _session.Create(new WatchCreateRequest { Key = ByteString.CopyFrom(0), RangeEnd = ByteString.CopyFrom(0), StartRevision = Last + 1 });
            sim.Stats.WatchConnects++;
            sim.Trace($"watcher {number} watches member {_member.Id} from revision {Last + 1}");
        }
        _member.Watches.CatchUpNow();
        while (_session!.TryTake(out var response, out _)) Take(response);
    }

    private void Take(WatchResponse response)
    {
        if (response.Canceled)
        {
            if (response.CompactRevision <= Last + 1)
                throw new ClusterSimFailure($"watcher {number} on member {_member!.Id} was cancelled ({response.CancelReason}) at revision {Last + 1}, compact revision {response.CompactRevision}");
            // Everything before the compaction is gone: the client goes on from there.
            sim.Stats.WatchCompactions++;
            sim.Trace($"watcher {number}: revisions up to {response.CompactRevision - 1} were compacted, resumes there");
            Last = response.CompactRevision - 1;
            _session!.Create(new WatchCreateRequest { Key = ByteString.CopyFrom(0), RangeEnd = ByteString.CopyFrom(0), StartRevision = Last + 1 });
            return;
        }
        var i = 0;
        while (i < response.Events.Count)
        {
            var revision = response.Events[i].Kv.ModRevision;
            var end = i;
            while (end < response.Events.Count && response.Events[end].Kv.ModRevision == revision) end++;
            // A revision of deletions only vanishes whole when read back at the compact revision.
            var skippedCompactRevision = revision == Last + 2 && Last + 1 == _member!.Kv.CompactRevision;
            if (revision != Last + 1 && !skippedCompactRevision)
                throw new ClusterSimFailure($"watcher {number} on member {_member!.Id} got revision {revision} after {Last}: {(revision <= Last ? "a repeat or out of order" : "a gap")}");
            var events = response.Events.Skip(i).Take(end - i).ToList();
            // Read back at the compacted revision itself, a revision lacks its deletions: a
            // compaction drops tombstones up to and including its revision, and a watch may start
            // there (etcd's too: only a start below the compact revision is refused).
            var partial = revision == _member!.Kv.CompactRevision;
            sim.Watched(revision, string.Join(" ", events), string.Join(" ", events.Where(e => e.Type != Etcd.Api.Mvccpb.Event.Types.EventType.Delete)), partial, number, _member.Id);
            Last = revision;
            sim.Stats.WatchEvents += end - i;
            i = end;
        }
    }
}
