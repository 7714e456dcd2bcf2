using Etcd.Api.Etcdserverpb;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// The lease side of the clients: grants, keep-alives, revocations and keys attached to leases,
/// and the check that no lease ends early. A client is promised a lease until its TTL has passed
/// since it asked for the grant (the leader starts counting later) or since a keep-alive was
/// answered; a member must not drop a lease before that promise runs out, unless a client
/// revoked it. Every lease that is neither kept alive nor revoked must end once the cluster is
/// healed (the leader's expiry loop revokes it).
/// </summary>
internal sealed class SimLeases(ClusterSim sim)
{
    private readonly Dictionary<long, long> _promisedUntil = [];
    private readonly Dictionary<long, long> _ttl = [];
    private readonly HashSet<long> _revokedByClient = [];
    private readonly List<long> _kept = [];
    private readonly Dictionary<(ulong Member, int Incarnation), HashSet<long>> _seen = [];
    private long _nextId = 0x1000;

    /// <summary>Simulated time units per second (a unit is 10 ms).</summary>
    private const long UnitsPerSecond = 100;

    /// <summary>A new grant with a short TTL, kept alive by its client for a while or not at all.</summary>
    public InternalRaftRequest Grant()
    {
        var id = _nextId++;
        var ttl = sim.Random.Next(1, 5);
        _ttl[id] = ttl;
        _promisedUntil[id] = sim.Now + ttl * UnitsPerSecond;
        if (sim.Random.Next(2) == 0) _kept.Add(id);
        sim.Stats.LeasesGranted++;
        sim.Trace($"client grants lease {id:x} for {ttl} s");
        return new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = id, TTL = ttl } };
    }

    /// <summary>A lease for a put to attach to, or 0 (one that was never granted, or is gone, fails the put).</summary>
    public long ForPut() => _ttl.Count == 0 || sim.Random.Next(3) != 0 ? 0 : _ttl.Keys.ElementAt(sim.Random.Next(_ttl.Count));

    /// <summary>A client revokes one of its leases.</summary>
    public InternalRaftRequest? Revoke()
    {
        if (_ttl.Count == 0) return null;
        var id = _ttl.Keys.ElementAt(sim.Random.Next(_ttl.Count));
        _revokedByClient.Add(id);
        sim.Trace($"client revokes lease {id:x}");
        _kept.Remove(id);
        return new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = id } };
    }

    /// <summary>A lease whose client keeps it alive, or null.</summary>
    public long? ToKeepAlive() => _kept.Count == 0 ? null : _kept[sim.Random.Next(_kept.Count)];

    /// <summary>The keep-alive of <paramref name="id"/> was answered: the lease lives at least <paramref name="ttl"/> seconds more.</summary>
    public void KeptAlive(long id, long ttl)
    {
        sim.Stats.KeepAlives++;
        sim.Trace($"keep-alive of lease {id:x} answered: {ttl} s more");
        _promisedUntil[id] = Math.Max(_promisedUntil.GetValueOrDefault(id), sim.Now + ttl * UnitsPerSecond);
    }

    /// <summary>Healing: clients stop keeping leases alive, so every lease must end.</summary>
    public void StopKeepingAlive() => _kept.Clear();

    /// <summary>After each step: a lease a member held a moment ago and does not now was revoked there; it must have been due.</summary>
    public void Observe(SimMember member)
    {
        var key = (member.Id, member.Incarnation);
        var now = new HashSet<long>();
        foreach (var id in _ttl.Keys)
        {
            if (member.State.Leases.Exists(id)) now.Add(id);
        }
        if (_seen.TryGetValue(key, out var before))
        {
            foreach (var id in before)
            {
                if (now.Contains(id) || _revokedByClient.Contains(id)) continue;
                sim.Stats.LeasesExpired++;
                if (sim.Now < _promisedUntil[id])
                    throw new ClusterSimFailure($"member {member.Id} dropped lease {id:x} at {sim.Now}, but a client was promised it until {_promisedUntil[id]}");
            }
        }
        _seen[key] = now;
    }

    /// <summary>Whether a member still holds any lease (after healing none may stay).</summary>
    public bool AnyLeft(SimMember member)
    {
        foreach (var id in _ttl.Keys)
        {
            if (member.State.Leases.Exists(id)) return true;
        }
        return false;
    }
}
