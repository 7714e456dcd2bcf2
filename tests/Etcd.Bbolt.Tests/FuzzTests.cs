using Xunit.Abstractions;

namespace Etcd.Bbolt.Tests;

/// <summary>
/// Damaged files never crash the reader or hang it: whatever is flipped, cut or overwritten,
/// opening, walking every bucket and checking either succeed or throw InvalidDataException.
/// Seeded: BBOLT_FUZZ_SEED=N replays a run; the seed is printed.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void DamagedFilesOnlyEverGiveInvalidData()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("BBOLT_FUZZ_SEED"), out var given) ? given : Random.Shared.Next();
        output.WriteLine($"BBOLT_FUZZ_SEED={seed}");
        var random = new Random(seed);
        using var dir = new TempDirectory();
        var ours = dir.Combine("ours.db");
        using (var file = File.Create(ours))
        using (var writer = new BboltWriter(file, 1024))
        {
            BucketTree.Random(seed, 1500).WriteTo(writer);
            writer.Finish();
        }
        var theirs = dir.Combine("theirs.db");
        RealBbolt.Load(theirs, BucketTree.Random(seed + 1, 1500).Listing());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var damaged = dir.Combine("damaged.db");
        var rounds = 0;
        for (; rounds < 600 && DateTime.UtcNow < deadline; rounds++)
        {
            var original = File.ReadAllBytes(rounds % 2 == 0 ? ours : theirs);
            var bytes = Damage(random, original);
            File.WriteAllBytes(damaged, bytes);
            try
            {
                using var reader = BboltReader.Open(damaged);
                BucketTree.Read(reader, reader.Root);
                reader.Check();
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"round {rounds} (BBOLT_FUZZ_SEED={seed}): {e}");
            }
        }
        output.WriteLine($"{rounds} damaged files read");
    }

    private static byte[] Damage(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (var i = random.Next(1, 20); i > 0; i--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return bytes;
            case 2:
                // Overwrite a run inside a page header or element table, where pointers live.
                var page = random.Next(bytes.Length / 1024 + 1) * 1024 + random.Next(64);
                for (var i = 0; i < 8 && page + i < bytes.Length; i++) bytes[page + i] = (byte)random.Next(256);
                return bytes;
            default:
                var garbage = new byte[random.Next(1, 20000)];
                random.NextBytes(garbage);
                return garbage;
        }
    }
}
