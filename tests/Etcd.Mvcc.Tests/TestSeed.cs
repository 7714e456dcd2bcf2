using Xunit.Abstractions;

namespace Etcd.Mvcc.Tests;

/// <summary>
/// Seeds for randomized tests: fresh each run unless MVCC_TEST_SEED is set, and always printed,
/// so a failure is re-run with MVCC_TEST_SEED=&lt;seed&gt;.
/// </summary>
internal static class TestSeed
{
    public static int Choose(ITestOutputHelper output)
    {
        string? fixedSeed = Environment.GetEnvironmentVariable("MVCC_TEST_SEED");
        int seed = fixedSeed is null ? Random.Shared.Next() : int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"seed {seed} (re-run with MVCC_TEST_SEED={seed})");
        return seed;
    }
}
