using System.Runtime.CompilerServices;

namespace Etcd.Raft.Tests.Interaction;

/// <summary>
/// Scripted interaction tests: each file in testdata/ drives a few nodes step by step (campaign,
/// propose, deliver messages, handle Readies) and holds the exact output expected, so any change
/// of behaviour shows up as a diff. To accept new behaviour after reviewing it, regenerate the
/// files: <c>RAFT_REWRITE=1 dotnet test tests/Etcd.Raft.Tests --filter FullyQualifiedName~InteractionTests</c>.
/// </summary>
public sealed class InteractionTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (string file in Directory.GetFiles(TestDataDirectory(), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script(string name)
    {
        string path = Path.Combine(TestDataDirectory(), name);
        var script = ScriptFile.Parse(File.ReadAllText(path));
        var env = new InteractionEnvironment();
        var results = new List<(ScriptCase, string)>();
        foreach (var c in script.Cases)
        {
            results.Add((c, env.Run(c.Command)));
        }

        if (Environment.GetEnvironmentVariable("RAFT_REWRITE") == "1")
        {
            File.WriteAllText(path, ScriptFile.Render(results));
            return;
        }

        foreach (var (c, actual) in results)
        {
            Assert.True(c.Expected == actual, $"{name}: '{c.Command}' produced:\n{actual}\nexpected:\n{c.Expected}");
        }
    }

    private static string TestDataDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "testdata");
}
