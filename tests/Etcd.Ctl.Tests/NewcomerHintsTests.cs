using Etcd.Ctl.Cli;

namespace Etcd.Ctl.Tests;

/// <summary>
/// The seeds' first session, typed as written: our etcdctl prints what the official one prints
/// and adds one hint line on stderr where that output leaves a newcomer stuck; the one command the
/// official tool refuses and we run (a single-dash long flag, as the seeds spell -keys-only) says so.
/// </summary>
public sealed class NewcomerHintsTests
{
    private static readonly Dictionary<string, string> Api2 = new(StringComparer.Ordinal) { ["ETCDCTL_API"] = "2" };

    [ReferenceEtcdFact]
    public async Task AV2CommandUnderApi3FailsAsOfficialAndSaysHowToRunIt()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        string[] args = ["set", "key1", "value1"];
        CtlResult official = await OfficialCtl.RunAsync(etcd.Endpoint, args);
        CtlResult ours = await OurCtl.RunAsync(etcd.Endpoint, args);
        AssertSameWithHint(official, ours, NewcomerHints.V2OnlyCommand("set")!);
        Assert.Contains("Did you mean this?\n\tget\n\tput\n\tdel\n\tuser\n", ours.Stderr, StringComparison.Ordinal);
    }

    [ReferenceEtcdFact]
    public async Task VersionFlagUnderApi3FailsAsOfficialAndNamesTheCommand()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        CtlResult official = await OfficialCtl.RunAsync(etcd.Endpoint, ["--version"]);
        CtlResult ours = await OurCtl.RunAsync(etcd.Endpoint, ["--version"]);
        Assert.Equal(official.ExitCode, ours.ExitCode);
        // The usage page names each tool's own version (3.4.23 and ours, 3.5.17): compare the error lines.
        Assert.Equal(OutputNormalizer.Stderr(official.Stderr + NewcomerHints.VersionIsACommand + "\n"), OutputNormalizer.Stderr(ours.Stderr));
    }

    [ReferenceEtcdFact]
    public async Task SingleDashKeysOnlyRunsAsKeysOnlyWithAHint()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        await OfficialCtl.RunAsync(etcd.Endpoint, ["put", "/registry/a", "1"]);
        await OfficialCtl.RunAsync(etcd.Endpoint, ["put", "/registry/b", "2"]);
        CtlResult official = await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "/", "--prefix", "--keys-only"]);
        CtlResult ours = await OurCtl.RunAsync(etcd.Endpoint, ["get", "/", "--prefix", "-keys-only"]);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(official.StdoutText, ours.StdoutText);
        Assert.Equal(NewcomerHints.SingleDash("-keys-only") + "\n", ours.Stderr);

        // With a value, too; and only long flag names: anything else is refused as the official tool refuses it.
        CtlResult limited = await OurCtl.RunAsync(etcd.Endpoint, ["get", "/", "--prefix", "-limit=1"]);
        Assert.Equal("/registry/a\n1\n", limited.StdoutText);
        // (get's usage page lists 3.5's --count-only in ours, so only the error and exit code are compared.)
        CtlResult theirBogus = await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "/", "--prefix", "-bogus"]);
        CtlResult ourBogus = await OurCtl.RunAsync(etcd.Endpoint, ["get", "/", "--prefix", "-bogus"]);
        Assert.Equal((theirBogus.ExitCode, theirBogus.Stderr), (ourBogus.ExitCode, ourBogus.Stderr));
        await CtlComparison.AssertSameAsync(etcd.Endpoint, ["put", "--", "k", "-keys-only"]);
        await CtlComparison.AssertSameAsync(etcd.Endpoint, ["get", "k"]);
    }

    [ReferenceEtcdFact]
    public async Task AV2CommandAgainstAServerWithoutV2SaysItNeedsEnableV2()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        string endpoint = "http://" + etcd.Endpoint;
        string[] args = ["set", "key1", "value1"];
        CtlResult official = await OfficialCtl.RunAsync(endpoint, args, api: "2");
        CtlResult ours = await OurCtl.RunAsync(endpoint, args, extraEnvironment: Api2);
        AssertSameWithHint(official, ours, NewcomerHints.NoV2Api);
    }

    private static void AssertSameWithHint(CtlResult official, CtlResult ours, string hint)
    {
        Assert.Equal(official.ExitCode, ours.ExitCode);
        Assert.Equal(official.StdoutText, ours.StdoutText);
        Assert.Equal(OutputNormalizer.Stderr(official.Stderr + hint + "\n"), OutputNormalizer.Stderr(ours.Stderr));
    }
}
