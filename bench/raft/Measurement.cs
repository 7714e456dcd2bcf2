using System.Diagnostics;

namespace Etcd.Raft.Benchmarks;

/// <summary>Time and managed bytes allocated per operation, measured on the calling thread.</summary>
internal readonly record struct Measurement(string Name, long Operations, double NanosecondsPerOp, double BytesPerOp)
{
    /// <summary>
    /// Runs <paramref name="run"/> (which performs <paramref name="operations"/> operations) once to
    /// warm up (JIT, tiering), then takes the best of <paramref name="repeats"/> timed runs.
    /// </summary>
    public static Measurement Of(string name, long operations, int repeats, Action<long> run)
    {
        run(operations);
        double best = double.MaxValue;
        double bytes = 0;
        for (int i = 0; i < repeats; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var timer = Stopwatch.StartNew();
            run(operations);
            timer.Stop();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            double ns = timer.Elapsed.TotalNanoseconds / operations;
            if (ns < best)
            {
                best = ns;
                bytes = (double)allocated / operations;
            }
        }

        return new Measurement(name, operations, best, bytes);
    }

    public override string ToString() => $"{Name,-44} {Operations,10} {NanosecondsPerOp,10:F0} ns/op {BytesPerOp,8:F0} B/op";
}
