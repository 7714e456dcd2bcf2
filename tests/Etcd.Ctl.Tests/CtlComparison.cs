using System.Text;

namespace Etcd.Ctl.Tests;

/// <summary>Runs one command line with the official etcdctl and with ours and requires identical results.</summary>
public static class CtlComparison
{
    public static async Task AssertSameAsync(string endpoint, string[] args, string stdin = "")
    {
        CtlResult official = await OfficialCtl.RunAsync(endpoint, args, stdin);
        CtlResult ours = await OurCtl.RunAsync(endpoint, args, stdin);
        AssertSame(official, ours, args);
    }

    public static void AssertSame(CtlResult official, CtlResult ours, string[] args)
    {
        string command = "etcdctl " + string.Join(' ', args.Select(a => "'" + a + "'"));
        Assert.True(
            official.Stdout.AsSpan().SequenceEqual(ours.Stdout)
                && official.ExitCode == ours.ExitCode
                && OutputNormalizer.Stderr(official.Stderr) == OutputNormalizer.Stderr(ours.Stderr),
            new StringBuilder().Append(command).Append("\n=== official\n").Append(official)
                .Append("\n=== ours\n").Append(ours).ToString());
    }
}
