using System.Collections.Immutable;
using System.Globalization;
using Etcd.Api.Etcdserverpb;
using Xunit.Abstractions;
using CompareResult = Etcd.Api.Etcdserverpb.Compare.Types.CompareResult;
using CompareTarget = Etcd.Api.Etcdserverpb.Compare.Types.CompareTarget;

namespace Etcd.Mvcc.Tests;

/// <summary>
/// Random writes, batches, aborts, compactions and restarts against the store and against a
/// plain model that keeps the whole key space at every revision; reads at random revisions
/// must agree.
/// </summary>
public sealed class ModelTests(ITestOutputHelper output)
{
    private const int Steps = 3000;
    private const int KeySpace = 24;

    // Values are 1 to 3 digits: a limit of 2 keeps some in memory and reads others from the backend.
    [Theory]
    [InlineData(KvStore.DefaultMaxCachedValueBytes)]
    [InlineData(2)]
    public async Task Store_matches_a_model_of_every_revision(int maxCachedValueBytes)
    {
        int seed = TestSeed.Choose(output);
        var random = new Random(seed);
        using var store = new TestStore(maxCachedValueBytes: maxCachedValueBytes);
        var model = new Model();

        for (int step = 0; step < Steps; step++)
        {
            int batchSize = random.Next(1, 5);
            bool abort = random.Next(10) == 0;
            Model before = model.Copy();
            using (ApplyBatch batch = store.Store.BeginApply())
            {
                for (int i = 0; i < batchSize; i++)
                {
                    ApplyRandomWrite(random, batch, model);
                }
                if (abort)
                {
                    model = before;
                }
                else
                {
                    batch.Commit();
                }
            }

            Assert.Equal(model.Revision, store.Store.CurrentRevision);
            for (int check = 0; check < 3; check++)
            {
                CheckRandomRead(random, store, model, step);
            }
            if (random.Next(200) == 0)
            {
                await store.Store.WhenCompacted(model.CompactRevision);
                store.Reopen();
                Assert.Equal(model.Revision, store.Store.CurrentRevision);
                Assert.Equal(model.CompactRevision, store.Store.CompactRevision);
            }
        }

        await store.Store.WhenCompacted(model.CompactRevision);
        for (long revision = Math.Max(1, model.CompactRevision); revision <= model.Revision; revision++)
        {
            CheckRead(store, model, AllKeys(revision), "final sweep");
        }
    }

    private static void ApplyRandomWrite(Random random, ApplyBatch batch, Model model)
    {
        switch (random.Next(10))
        {
            case < 5:
                string key = RandomKey(random);
                string value = RandomValue(random);
                batch.Put(new PutRequest { Key = TestStore.B(key), Value = TestStore.B(value) });
                model.Commit(model.Put(model.Latest, key, value, model.Revision + 1));
                break;
            case < 7:
                (string from, string? to) = RandomRange(random);
                batch.DeleteRange(new DeleteRangeRequest { Key = TestStore.B(from), RangeEnd = TestStore.B(to ?? "") });
                model.Commit(Model.Delete(model.Latest, from, to));
                break;
            case < 9:
                ApplyRandomTxn(random, batch, model);
                break;
            default:
                long target = model.CompactRevision + 1 + random.Next(3);
                if (target > model.Revision)
                {
                    Assert.Throws<MvccException>(() => batch.Compact(new CompactionRequest { Revision = target }));
                    break;
                }
                batch.Compact(new CompactionRequest { Revision = target });
                model.CompactRevision = target;
                break;
        }
    }

    private static void ApplyRandomTxn(Random random, ApplyBatch batch, Model model)
    {
        string guardKey = RandomKey(random);
        model.Latest.TryGetValue(guardKey, out ModelRecord? guarded);
        Compare guard;
        bool succeeded;
        switch (random.Next(3))
        {
            case 0:
                long version = random.Next(2) == 0 ? guarded?.Version ?? 0 : random.Next(3);
                guard = Ops.Compare(guardKey, CompareTarget.Version, CompareResult.Equal, version);
                succeeded = (guarded?.Version ?? 0) == version;
                break;
            case 1:
                long mod = random.Next(2) == 0 ? guarded?.Mod ?? 0 : random.NextInt64(model.Revision + 1);
                guard = Ops.Compare(guardKey, CompareTarget.Mod, CompareResult.Equal, mod);
                succeeded = (guarded?.Mod ?? 0) == mod;
                break;
            default:
                string value = random.Next(2) == 0 ? guarded?.Value ?? "" : RandomValue(random);
                guard = Ops.Compare(guardKey, CompareTarget.Value, CompareResult.Equal, value: value);
                // A value compare on a missing key fails.
                succeeded = guarded is not null && guarded.Value == value;
                break;
        }
        var txn = Ops.Txn([guard], [], []);

        // Distinct keys per branch: etcd's API rejects a txn that writes one key twice.
        var used = new HashSet<string>();
        ImmutableSortedDictionary<string, ModelRecord> working = model.Latest;
        for (int branch = 0; branch < 2; branch++)
        {
            used.Clear();
            int operations = random.Next(0, 4);
            for (int i = 0; i < operations; i++)
            {
                string key = RandomKey(random);
                if (!used.Add(key))
                {
                    continue;
                }
                bool isPut = random.Next(3) != 0;
                string value = RandomValue(random);
                RequestOp op = isPut ? Ops.Put(key, value) : Ops.Delete(key);
                (branch == 0 ? txn.Success : txn.Failure).Add(op);
                if ((branch == 0) == succeeded)
                {
                    working = isPut ? model.Put(working, key, value, model.Revision + 1) : Model.Delete(working, key, null);
                }
            }
        }

        TxnResponse response = batch.Txn(txn);

        Assert.Equal(succeeded, response.Succeeded);
        model.Commit(working);
        Assert.Equal(model.Revision, response.Header.Revision);
    }

    private static void CheckRandomRead(Random random, TestStore store, Model model, int step)
    {
        (string from, string? to) = RandomRange(random);
        var request = new RangeRequest
        {
            Key = TestStore.B(from),
            RangeEnd = TestStore.B(to ?? ""),
            Revision = random.Next(4) == 0 ? 0 : random.NextInt64(Math.Max(1, model.CompactRevision - 2), model.Revision + 2),
            Limit = random.Next(3) == 0 ? random.Next(1, 6) : 0,
            CountOnly = random.Next(8) == 0,
        };
        CheckRead(store, model, request, $"step {step}");
    }

    private static void CheckRead(TestStore store, Model model, RangeRequest request, string context)
    {
        long revision = request.Revision == 0 ? model.Revision : request.Revision;
        if (revision > model.Revision)
        {
            Assert.Equal(MvccErrorKind.FutureRevision, Assert.Throws<MvccException>(() => store.Store.Range(request)).Kind);
            return;
        }
        if (revision < model.CompactRevision)
        {
            Assert.Equal(MvccErrorKind.Compacted, Assert.Throws<MvccException>(() => store.Store.Range(request)).Kind);
            return;
        }

        List<string> expected = [];
        foreach ((string key, ModelRecord record) in model.States[(int)revision])
        {
            if (Model.InRange(key, request.Key.ToStringUtf8(), request.RangeEnd.Length == 0 ? null : request.RangeEnd.ToStringUtf8()))
            {
                expected.Add($"{key}={record.Value} c{record.Create} m{record.Mod} v{record.Version}");
            }
        }
        RangeResponse response = store.Store.Range(request);
        string where = $"{context}: range [{request.Key.ToStringUtf8()}, {request.RangeEnd.ToStringUtf8()}) at {revision} limit {request.Limit}";

        Assert.True(expected.Count == response.Count, $"{where}: count {response.Count}, expected {expected.Count}");
        Assert.Equal(model.Revision, response.Header.Revision);
        if (request.CountOnly)
        {
            Assert.Empty(response.Kvs);
            return;
        }
        int shown = request.Limit > 0 ? Math.Min(expected.Count, (int)request.Limit) : expected.Count;
        List<string> actual = response.Kvs.Select(kv => $"{kv.Key.ToStringUtf8()}={kv.Value.ToStringUtf8()} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version}").ToList();
        Assert.True(expected.Take(shown).SequenceEqual(actual), $"{where}: got [{string.Join(", ", actual)}], expected [{string.Join(", ", expected.Take(shown))}]");
        Assert.Equal(shown < expected.Count, response.More);
    }

    private static RangeRequest AllKeys(long revision) =>
        new() { Key = TestStore.B("\0"), RangeEnd = TestStore.B("\0"), Revision = revision };

    private static string RandomKey(Random random) => "k" + random.Next(KeySpace).ToString("D2", CultureInfo.InvariantCulture);

    private static string RandomValue(Random random) => random.Next(1000).ToString(CultureInfo.InvariantCulture);

    /// <summary>A single key, a bounded range, a from-key range or everything.</summary>
    private static (string From, string? To) RandomRange(Random random) => random.Next(4) switch
    {
        0 => (RandomKey(random), null),
        1 => (RandomKey(random), RandomKey(random)),
        2 => (RandomKey(random), "\0"),
        _ => ("\0", "\0"),
    };

    private sealed record ModelRecord(string Value, long Create, long Mod, long Version);

    /// <summary>The key space at every revision; index = revision.</summary>
    private sealed class Model
    {
        public List<ImmutableSortedDictionary<string, ModelRecord>> States { get; private init; } =
            [ImmutableSortedDictionary<string, ModelRecord>.Empty.WithComparers(StringComparer.Ordinal), ImmutableSortedDictionary<string, ModelRecord>.Empty.WithComparers(StringComparer.Ordinal)];

        public long CompactRevision { get; set; } = -1;

        public long Revision => States.Count - 1;

        public ImmutableSortedDictionary<string, ModelRecord> Latest => States[^1];

        public Model Copy() => new() { States = [.. States], CompactRevision = CompactRevision };

        /// <summary>Adds a revision when <paramref name="next"/> differs from the latest state.</summary>
        public void Commit(ImmutableSortedDictionary<string, ModelRecord> next)
        {
            if (!ReferenceEquals(next, Latest))
            {
                States.Add(next);
            }
        }

        public ImmutableSortedDictionary<string, ModelRecord> Put(ImmutableSortedDictionary<string, ModelRecord> state, string key, string value, long revision)
        {
            state.TryGetValue(key, out ModelRecord? previous);
            return state.SetItem(key, new ModelRecord(value, previous?.Create ?? revision, revision, (previous?.Version ?? 0) + 1));
        }

        public static ImmutableSortedDictionary<string, ModelRecord> Delete(ImmutableSortedDictionary<string, ModelRecord> state, string from, string? to)
        {
            ImmutableSortedDictionary<string, ModelRecord> next = state;
            foreach (string key in state.Keys)
            {
                if (InRange(key, from, to))
                {
                    next = next.Remove(key);
                }
            }
            return next;
        }

        /// <summary>etcd's key range convention over strings: null end = single key, "\0" = to the end.</summary>
        public static bool InRange(string key, string from, string? to) => to switch
        {
            null => key == from,
            "\0" => string.CompareOrdinal(key, from) >= 0,
            _ => string.CompareOrdinal(key, from) >= 0 && string.CompareOrdinal(key, to) < 0,
        };
    }
}
