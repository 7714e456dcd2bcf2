using System.Text;
using Xunit.Abstractions;

namespace Etcd.Mvcc.Tests;

public sealed class KeyIndexTests(ITestOutputHelper output)
{
    [Fact]
    public void Random_adds_and_removes_match_a_sorted_set_in_lookups_and_scans()
    {
        int seed = TestSeed.Choose(output);
        var random = new Random(seed);
        var index = new KeyIndex();
        var model = new SortedSet<string>(StringComparer.Ordinal);

        for (int step = 0; step < 40_000; step++)
        {
            string key = RandomKey(random);
            // Mostly adds early, mostly removes late, so chunks both split and merge.
            bool add = random.NextDouble() < (step < 25_000 ? 0.7 : 0.2);
            if (add && model.Add(key))
            {
                index.Add(new KeyHistory(Encoding.ASCII.GetBytes(key)));
            }
            else if (!add)
            {
                Assert.Equal(model.Remove(key), index.Remove(Encoding.ASCII.GetBytes(key)));
            }

            if (step % 1000 == 0)
            {
                Assert.Equal(model.Count, index.Count);
                AssertScan(index, model, RandomKey(random), RandomKey(random));
            }
        }
        AssertScan(index, model, "", null);
        foreach (string key in model)
        {
            Assert.NotNull(index.Find(Encoding.ASCII.GetBytes(key)));
        }
    }

    [Fact]
    public void Single_key_range_finds_only_that_key()
    {
        var index = new KeyIndex();
        foreach (string key in new[] { "a", "ab", "abc", "b" })
        {
            index.Add(new KeyHistory(Encoding.ASCII.GetBytes(key)));
        }

        Assert.Equal(["ab"], Keys(index, KeyRange.Single("ab"u8)));
        Assert.Empty(Keys(index, KeyRange.Single("aa"u8)));
        Assert.Equal(["ab", "abc"], Keys(index, KeyRange.Of("ab"u8, "ac"u8)));
        Assert.Equal(["abc", "b"], Keys(index, KeyRange.Of("abc"u8, [0])));
        Assert.Empty(Keys(index, KeyRange.Of("b"u8, "a"u8)));
    }

    [Fact]
    public void Adding_an_existing_key_throws()
    {
        var index = new KeyIndex();
        index.Add(new KeyHistory("k"u8.ToArray()));
        Assert.Throws<InvalidOperationException>(() => index.Add(new KeyHistory("k"u8.ToArray())));
    }

    private static void AssertScan(KeyIndex index, SortedSet<string> model, string from, string? to)
    {
        var expected = new List<string>();
        foreach (string key in model)
        {
            if (string.CompareOrdinal(key, from) >= 0 && (to is null || string.CompareOrdinal(key, to) < 0))
            {
                expected.Add(key);
            }
        }
        byte[] fromBytes = Encoding.ASCII.GetBytes(from);
        KeyRange range = to is null ? KeyRange.Of(fromBytes, [0]) : KeyRange.Of(fromBytes, Encoding.ASCII.GetBytes(to));
        Assert.Equal(expected, Keys(index, range));
    }

    private static List<string> Keys(KeyIndex index, KeyRange range)
    {
        var keys = new List<string>();
        foreach (KeyHistory history in index.Range(range))
        {
            keys.Add(Encoding.ASCII.GetString(history.Key));
        }
        return keys;
    }

    private static string RandomKey(Random random)
    {
        int length = random.Next(1, 5);
        var chars = new char[length];
        for (int i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.Next(26));
        }
        return new string(chars);
    }
}
