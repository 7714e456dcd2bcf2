using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Server.Watch;
using Xunit.Abstractions;
using static Etcd.Server.Tests.Watch.WatchFixture;

namespace Etcd.Server.Tests.Watch;

/// <summary>
/// Seeded runs of many watchers on overlapping ranges while batches of writes commit, with
/// sessions that read at different speeds (one not at all until the end), watchers created in
/// the past and cancelled on the way, progress requests, and a compaction in the middle. A
/// failure names the seed; WATCH_SEED=n reruns one.
/// </summary>
public sealed class WatchGuaranteeTests(ITestOutputHelper output)
{
    private const int Keys = 20;

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("WATCH_SEED"), out var one))
        {
            seeds.Add(one);
            return seeds;
        }
        var start = Environment.TickCount & 0xFFFF;
        for (var i = 0; i < 4; i++) seeds.Add(start + i);
        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task EveryWatcherGetsEveryEventOnceInOrderAndProgressIsHonest(int seed)
    {
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var model = new KeyspaceModel();
        await using var fixture = new WatchFixture();
        var sessions = new List<(WatchSession Session, WatchChecker Checker, bool Slow)>();
        for (var i = 0; i < 4; i++)
        {
            sessions.Add((fixture.Hub.OpenSession(), new WatchChecker(model, seed.ToString()), Slow: i == 3));
        }
        using var stop = new CancellationTokenSource();
        var readers = sessions.Where(s => !s.Slow).Select(s => Task.Run(() => ReadAsync(s.Session, s.Checker, stop.Token))).ToList();

        var writes = 3 * WatchSession.BacklogLimit / 2;
        var compactAt = writes / 2 + random.Next(writes / 4);
        for (var step = 0; step < writes;)
        {
            var batch = 1 + random.Next(8);
            fixture.Apply(b =>
            {
                for (var i = 0; i < batch; i++) WriteOne(b, model, random);
                return 0;
            });
            step += batch;
            if (random.Next(40) == 0) Watch(sessions[random.Next(sessions.Count)], model, random);
            if (random.Next(60) == 0) CancelOne(sessions[random.Next(sessions.Count)], random);
            if (random.Next(30) == 0) sessions[random.Next(sessions.Count)].Session.RequestProgress();
            if (step >= compactAt && compactAt > 0)
            {
                var revision = Math.Max(2, model.Revision - random.Next(50));
                fixture.Compact(revision);
                foreach (var s in sessions) s.Checker.CompactRevision = revision;
                compactAt = 0;
            }
            if (step < 40) Watch(sessions[step % sessions.Count], model, random);
        }

        // Everything written: each session must answer a progress request naming the final revision.
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        foreach (var (session, checker, _) in sessions)
        {
            session.RequestProgress();
            var observed = 0;
            await TakeUntil(session, taken =>
            {
                for (; observed < taken.Count; observed++) checker.Observe(taken[observed]);
                return taken.Count > 0 && taken[^1].WatchId == -1 && taken[^1].Header.Revision == model.Revision;
            });
            checker.CheckEnd();
            output.WriteLine($"session: {checker.WatchersSeen} watchers, {checker.LiveIds.Count} live at the end");
        }
        output.WriteLine($"{model.EventCount} events over {model.Revision - 1} revisions");
    }

    private static async Task ReadAsync(WatchSession session, WatchChecker checker, CancellationToken stop)
    {
        try
        {
            while (await session.WaitToTakeAsync(stop))
            {
                while (session.TryTake(out var response, out _))
                {
                    lock (checker) checker.Observe(response);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string Key(Random random) => "k" + random.Next(Keys).ToString("D2");

    private static void WriteOne(ApplyBatch batch, KeyspaceModel model, Random random)
    {
        switch (random.Next(10))
        {
            case < 6:
                {
                    var key = Key(random);
                    var value = random.Next(1000).ToString();
                    batch.Put(new PutRequest { Key = B(key), Value = B(value) });
                    model.Change(key, put: true, value);
                    break;
                }
            case < 8:
                {
                    var key = Key(random);
                    batch.DeleteRange(new DeleteRangeRequest { Key = B(key) });
                    if (model.Exists(key)) model.Change(key, put: false);
                    break;
                }
            case 8:
                {
                    var from = Key(random);
                    var to = Key(random);
                    if (string.CompareOrdinal(from, to) > 0) (from, to) = (to, from);
                    batch.DeleteRange(new DeleteRangeRequest { Key = B(from), RangeEnd = B(to) });
                    foreach (var key in model.LiveKeysIn(from, to)) model.Change(key, put: false);
                    break;
                }
            default:
                {
                    var keys = Enumerable.Range(0, 3).Select(_ => Key(random)).Distinct().ToList();
                    var txn = new TxnRequest();
                    foreach (var key in keys)
                    {
                        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B(key), Value = B("t" + key) } });
                        model.Change(key, put: true, "t" + key);
                    }
                    batch.Txn(txn);
                    break;
                }
        }
        model.EndTxn();
    }

    private static void Watch((WatchSession Session, WatchChecker Checker, bool Slow) target, KeyspaceModel model, Random random)
    {
        string key;
        string? end;
        switch (random.Next(4))
        {
            case 0:
                key = Key(random);
                end = null;
                break;
            case 1:
                key = "k" + random.Next(2);
                end = "k" + (random.Next(2) + 1);
                if (string.CompareOrdinal(key, end) >= 0) end = "\0";
                break;
            case 2:
                key = Key(random);
                end = "\0";
                break;
            default:
                key = "k0";
                end = "k1";
                break;
        }
        var start = random.Next(3) == 0 ? 1 + random.NextInt64(model.Revision) : 0;
        var spec = new WatcherSpec(key, end, start, PrevKv: random.Next(3) == 0, NoPut: random.Next(10) == 0, NoDelete: random.Next(10) == 0);
        // The spec is queued before the request, so the reader finds it when the created response arrives.
        lock (target.Checker) target.Checker.Requested.Enqueue(spec);
        target.Session.Create(spec.ToRequest());
    }

    private static void CancelOne((WatchSession Session, WatchChecker Checker, bool Slow) target, Random random)
    {
        long[] ids;
        lock (target.Checker) ids = [.. target.Checker.LiveIds];
        if (ids.Length > 0) target.Session.Cancel(ids[random.Next(ids.Length)]);
    }
}
