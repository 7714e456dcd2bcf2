using Etcd.Api.Etcdserverpb;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Every client operation of a run, with when it was sent and answered (simulated time) and what
/// it was told, and the check that the answers are linearizable. etcd orders every write by its
/// revision, so the check needs no search: each answered operation takes effect at its
/// revision, which must lie within its own lifetime.
/// <list type="bullet">
/// <item><description>Not in the past: an operation sees at least every revision answered before it
/// was sent (a write gets a higher one; a read is not stale, nor older than an earlier read).</description></item>
/// <item><description>Not in the future: a read returns no value whose write was sent after the read
/// was answered (values are unique, so each names its write).</description></item>
/// <item><description>The state: a read returns exactly what the store holds at the revision it
/// was answered with (checked on a member at the end, where not compacted away).</description></item>
/// </list>
/// </summary>
internal sealed class ClientHistory
{
    private readonly List<Operation> _operations = [];
    private readonly Dictionary<ByteString, long> _putSentAt = [];
    private readonly Func<long> _now;

    public ClientHistory(Func<long> now) => _now = now;

    public int Reads { get; private set; }

    public int StaleChecks { get; private set; }

    public int WriteStarted(ulong member, InternalRaftRequest request)
    {
        var operation = Add(new Operation(member, _now()) { Write = request });
        foreach (var value in PutValues(request)) _putSentAt[value] = operation.Sent;
        return operation.Id;
    }

    public void WriteDone(int id, IMessage? response)
    {
        var operation = _operations[id];
        operation.Answered = _now();
        operation.Revision = response switch
        {
            PutResponse put => put.Header.Revision,
            DeleteRangeResponse delete => delete.Header.Revision,
            TxnResponse txn => txn.Header.Revision,
            CompactionResponse compaction => compaction.Header.Revision,
            _ => null,
        };
    }

    public int ReadStarted(ulong member, RangeRequest request) => Add(new Operation(member, _now()) { Read = request }).Id;

    public void ReadDone(int id, RangeResponse result)
    {
        var operation = _operations[id];
        operation.Answered = _now();
        operation.Revision = result.Header.Revision;
        operation.Result = result;
        Reads++;
    }

    /// <summary>The member died with the read pending: the client got no answer.</summary>
    public void ReadFailed(int id) => _operations[id].Answered = null;

    private Operation Add(Operation operation)
    {
        operation.Id = _operations.Count;
        _operations.Add(operation);
        return operation;
    }

    private static IEnumerable<ByteString> PutValues(InternalRaftRequest request)
    {
        if (request.Put is { } put) yield return put.Value;
        if (request.Txn is { } txn)
        {
            foreach (var op in txn.Success.Concat(txn.Failure))
            {
                if (op.RequestPut is { } inTxn) yield return inTxn.Value;
            }
        }
    }

    /// <summary>Checks every answered operation; <paramref name="reference"/> is a member that has applied everything.</summary>
    public void Verify(SimMember reference)
    {
        var answered = _operations.Where(o => o.Answered is not null && o.Revision is not null).OrderBy(o => o.Answered).ToList();
        // The highest revision answered before each point in time, by walking operations in the order they were sent.
        var bySent = answered.OrderBy(o => o.Sent).ToList();
        var highest = 0L;
        var next = 0;
        Operation? witness = null;
        foreach (var operation in bySent)
        {
            while (next < answered.Count && answered[next].Answered < operation.Sent)
            {
                if (answered[next].Revision > highest)
                {
                    highest = answered[next].Revision!.Value;
                    witness = answered[next];
                }
                next++;
            }
            var revision = operation.Revision!.Value;
            var mustExceed = operation.Write?.Put is not null;
            if (revision < highest || (mustExceed && revision == highest))
                throw new ClusterSimFailure($"{operation} is in the past: {witness} was answered with revision {highest} before it was sent");
            StaleChecks++;
            if (operation.Result is { } result) VerifyRead(operation, result, reference);
        }
    }

    private void VerifyRead(Operation read, RangeResponse result, SimMember reference)
    {
        foreach (var kv in result.Kvs)
        {
            if (_putSentAt.TryGetValue(kv.Value, out var sent) && sent > read.Answered)
                throw new ClusterSimFailure($"{read} returned {kv.Key.ToStringUtf8()}={kv.Value.ToStringUtf8()}, whose write was sent only at {sent}");
        }
        var revision = read.Revision!.Value;
        if (revision < reference.Kv.CompactRevision) return;
        var request = read.Read!.Clone();
        request.Revision = revision;
        var expected = reference.Kv.Range(request);
        if (!expected.Kvs.SequenceEqual(result.Kvs) || expected.Count != result.Count)
            throw new ClusterSimFailure($"{read} returned [{string.Join(", ", result.Kvs)}], member {reference.Id} holds [{string.Join(", ", expected.Kvs)}] at revision {revision}");
    }

    private sealed class Operation(ulong member, long sent)
    {
        public int Id { get; set; }

        public ulong Member { get; } = member;

        public long Sent { get; } = sent;

        public long? Answered { get; set; }

        public long? Revision { get; set; }

        public InternalRaftRequest? Write { get; init; }

        public RangeRequest? Read { get; init; }

        public RangeResponse? Result { get; set; }

        public override string ToString() => Read is not null
            ? $"read {Read.Key.ToStringUtf8()}..{Read.RangeEnd.ToStringUtf8()} at member {Member} (sent {Sent}, answered {Answered} with revision {Revision})"
            : $"write {Write!.Header?.ID:x} at member {Member} (sent {Sent}, answered {Answered} with revision {Revision}): {Write}";
    }
}
