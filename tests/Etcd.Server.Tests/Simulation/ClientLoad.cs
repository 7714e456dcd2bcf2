using Etcd.Api.Etcdserverpb;
using Etcd.Api.Membershippb;
using Google.Protobuf;

namespace Etcd.Server.Tests.Simulation;

/// <summary>
/// Random client writes over a small key space, so that writes collide: Put, DeleteRange (one key,
/// a span, a prefix) and Txn with a comparison and a few operations per branch. Every value is
/// unique, so a value seen later names the write that made it. Operations within one txn branch
/// touch distinct keys (etcd refuses duplicate writes), and its reads avoid the keys it writes,
/// so the state at the txn's revision shows what each read returned.
/// </summary>
internal sealed class ClientLoad(Random random, int clusterSize)
{
    private const int KeyCount = 12;
    private readonly List<ByteString> _recentValues = [];
    private int _written;

    public static ByteString Key(int i) => ByteString.CopyFromUtf8($"k{i:D2}");

    /// <param name="lease">A lease for a plain put to attach its key to (0 for none).</param>
    public InternalRaftRequest Next(long lease = 0) => random.Next(40) switch
    {
        < 20 => new InternalRaftRequest { Put = NewPut(random.Next(KeyCount), lease) },
        < 28 => new InternalRaftRequest { DeleteRange = NewDelete() },
        < 39 => new InternalRaftRequest { Txn = NewTxn() },
        _ => new InternalRaftRequest { ClusterMemberAttrSet = NewAttributes() },
    };

    /// <summary>A member (re)publishing its name and client URLs, as MemberPublisher does after a start.</summary>
    private ClusterMemberAttrSetRequest NewAttributes()
    {
        var id = (ulong)random.Next(1, clusterSize + 1);
        return new ClusterMemberAttrSetRequest
        {
            MemberID = id,
            MemberAttributes = new Attributes { Name = $"m{id}", ClientUrls = { $"http://10.0.1.{id}:{2379 + ++_written}" } },
        };
    }

    /// <summary>A linearizable read: one key, a span of keys, or all of them.</summary>
    public RangeRequest NextRead()
    {
        switch (random.Next(3))
        {
            case 0:
                return new RangeRequest { Key = Key(random.Next(KeyCount)) };
            case 1:
                var from = random.Next(KeyCount);
                return new RangeRequest { Key = Key(from), RangeEnd = Key(Math.Min(KeyCount, from + 1 + random.Next(4))) };
            default:
                return new RangeRequest { Key = ByteString.CopyFromUtf8("k"), RangeEnd = ByteString.CopyFromUtf8("l") };
        }
    }

    /// <summary>A new peer URL for some member (etcdctl member update): a configuration change through the server's MembershipApplier.</summary>
    public (ulong Member, string PeerUrl) NextPeerUrl()
    {
        var id = (ulong)random.Next(1, clusterSize + 1);
        return (id, $"http://10.0.0.{id}:{2380 + ++_written}");
    }

    /// <summary>A put nobody else makes, for the write that shows the cluster has settled.</summary>
    public InternalRaftRequest Barrier() => new() { Put = new PutRequest { Key = ByteString.CopyFromUtf8("barrier"), Value = NewValue() }, Header = new RequestHeader { Username = "root" } };

    private PutRequest NewPut(int key, long lease = 0) => new() { Key = Key(key), Value = NewValue(), PrevKv = random.Next(4) == 0, Lease = lease };

    private ByteString NewValue()
    {
        var value = ByteString.CopyFromUtf8($"v{++_written}");
        _recentValues.Add(value);
        if (_recentValues.Count > 8) _recentValues.RemoveAt(0);
        return value;
    }

    private DeleteRangeRequest NewDelete()
    {
        var prevKv = random.Next(3) == 0;
        switch (random.Next(4))
        {
            case 0:
                var from = random.Next(KeyCount);
                return new DeleteRangeRequest { Key = Key(from), RangeEnd = Key(Math.Min(KeyCount, from + 1 + random.Next(3))), PrevKv = prevKv };
            case 1:
                // Prefix "k0": k00..k09.
                return new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("k0"), RangeEnd = ByteString.CopyFromUtf8("k1"), PrevKv = prevKv };
            default:
                return new DeleteRangeRequest { Key = Key(random.Next(KeyCount)), PrevKv = prevKv };
        }
    }

    private TxnRequest NewTxn()
    {
        var txn = new TxnRequest();
        txn.Compare.Add(NewCompare());
        AddOps(txn.Success, 1 + random.Next(3));
        AddOps(txn.Failure, random.Next(3));
        return txn;
    }

    private Compare NewCompare()
    {
        var compare = new Compare { Key = Key(random.Next(KeyCount)), Result = (Compare.Types.CompareResult)random.Next(4) };
        switch (random.Next(4))
        {
            case 0:
                compare.Target = Compare.Types.CompareTarget.Version;
                compare.Version = random.Next(3);
                break;
            case 1:
                compare.Target = Compare.Types.CompareTarget.Value;
                compare.Value = _recentValues.Count > 0 && random.Next(4) != 0 ? _recentValues[random.Next(_recentValues.Count)] : ByteString.CopyFromUtf8("none");
                break;
            case 2:
                compare.Target = Compare.Types.CompareTarget.Mod;
                compare.ModRevision = random.Next(_written + 2);
                break;
            default:
                compare.Target = Compare.Types.CompareTarget.Create;
                compare.CreateRevision = random.Next(_written + 2);
                break;
        }
        return compare;
    }

    private void AddOps(Google.Protobuf.Collections.RepeatedField<RequestOp> ops, int count)
    {
        var keys = Enumerable.Range(0, KeyCount).OrderBy(_ => random.Next()).Take(count).ToArray();
        var reads = new List<int>();
        var writes = new HashSet<int>();
        foreach (var key in keys)
        {
            switch (random.Next(3))
            {
                case 0:
                    writes.Add(key);
                    ops.Add(new RequestOp { RequestPut = NewPut(key) });
                    break;
                case 1:
                    writes.Add(key);
                    ops.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = Key(key), PrevKv = random.Next(2) == 0 } });
                    break;
                default:
                    reads.Add(key);
                    break;
            }
        }
        // Reads go in after the writes are known, so none reads a key its own branch writes.
        foreach (var key in reads)
        {
            var end = key + 1 + random.Next(3);
            var span = end <= KeyCount && !writes.Any(w => w >= key && w < end);
            ops.Insert(random.Next(ops.Count + 1), new RequestOp
            {
                RequestRange = new RangeRequest { Key = Key(key), RangeEnd = span && end > key + 1 ? Key(end) : ByteString.Empty },
            });
        }
    }
}
