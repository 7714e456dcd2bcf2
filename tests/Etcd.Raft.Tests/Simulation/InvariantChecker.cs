namespace Etcd.Raft.Tests.Simulation;

/// <summary>
/// The Raft safety properties, checked as the run goes (Raft paper figure 3):
/// election safety, log matching, leader completeness and state-machine safety.
/// </summary>
internal sealed class InvariantChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];

    // Log matching: every persisted (index, term) pair must carry the same prefix everywhere.
    private readonly Dictionary<(ulong Index, ulong Term), ulong> _prefixOf = [];

    // State-machine safety: the chain hash of the applied prefix at each index, from the first applier.
    private readonly List<ulong> _appliedChain = [0];

    // Leader completeness: for each term, the highest index some node knew committed while in it.
    private readonly SortedDictionary<ulong, (ulong Index, ulong EntryTerm)> _committedInTerm = [];

    public ulong MaxCommitted { get; private set; }

    public ulong MaxApplied => (ulong)_appliedChain.Count - 1;

    /// <summary>Election safety: at most one leader per term.</summary>
    public void OnLeader(ulong id, ulong term)
    {
        if (_leaderOfTerm.TryGetValue(term, out ulong existing))
        {
            if (existing != id)
            {
                throw new SimulationFailure($"election safety: both {existing} and {id} are leaders of term {term}");
            }

            return;
        }

        _leaderOfTerm[term] = id;
    }

    /// <summary>How many terms had a leader.</summary>
    public int LeaderTerms => _leaderOfTerm.Count;

    /// <summary>Log matching: entries with equal index and term have identical prefixes.</summary>
    public void OnPersisted(ulong id, ulong index, ulong term, ulong prefix)
    {
        if (_prefixOf.TryGetValue((index, term), out ulong existing))
        {
            if (existing != prefix)
            {
                throw new SimulationFailure($"log matching: node {id} persisted entry {term}/{index} with a prefix that differs from another node's");
            }

            return;
        }

        _prefixOf[(index, term)] = prefix;
    }

    /// <summary>State-machine safety: every node applies the same entry at each index.</summary>
    public void OnApplied(ulong id, ulong index, ulong chain)
    {
        if (index < (ulong)_appliedChain.Count)
        {
            if (_appliedChain[(int)index] != chain)
            {
                throw new SimulationFailure($"state machine safety: node {id} applied a different entry (or history) at index {index}");
            }

            return;
        }

        if (index != (ulong)_appliedChain.Count)
        {
            throw new SimulationFailure($"node {id} applied index {index} while the highest applied anywhere is {_appliedChain.Count - 1}");
        }

        _appliedChain.Add(chain);
    }

    /// <summary>A snapshot is a claim about an applied prefix: it must agree with what was applied.</summary>
    public void OnSnapshotInstalled(ulong id, ulong index, ulong chain)
    {
        if (index >= (ulong)_appliedChain.Count)
        {
            throw new SimulationFailure($"node {id} installed a snapshot at {index} beyond anything applied ({_appliedChain.Count - 1})");
        }

        if (_appliedChain[(int)index] != chain)
        {
            throw new SimulationFailure($"state machine safety: node {id} installed a snapshot at {index} whose state differs from the applied history");
        }
    }

    public void OnCommitObserved(ulong term, ulong index, ulong entryTerm)
    {
        MaxCommitted = Math.Max(MaxCommitted, index);
        if (!_committedInTerm.TryGetValue(term, out var known) || known.Index < index)
        {
            _committedInTerm[term] = (index, entryTerm);
        }
    }

    /// <summary>
    /// Leader completeness: a leader of term T holds every entry known committed in a term before T.
    /// <paramref name="termAt"/> gives the leader's term at an index, or null if compacted away.
    /// </summary>
    public void CheckLeaderCompleteness(ulong id, ulong term, Func<ulong, ulong?> termAt)
    {
        ulong index = 0;
        ulong entryTerm = 0;
        foreach (var (observedTerm, committed) in _committedInTerm)
        {
            if (observedTerm >= term)
            {
                break;
            }

            if (committed.Index > index)
            {
                (index, entryTerm) = committed;
            }
        }

        if (index == 0)
        {
            return;
        }

        ulong? ours = termAt(index);
        if (ours is not null && ours != entryTerm)
        {
            throw new SimulationFailure($"leader completeness: leader {id} of term {term} has term {ours} at index {index}, committed with term {entryTerm}");
        }
    }
}
