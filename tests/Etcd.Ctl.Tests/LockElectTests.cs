namespace Etcd.Ctl.Tests;

/// <summary>lock and elect must interoperate with the official etcdctl: same keys, same queueing.</summary>
public sealed class LockElectTests
{
    [ReferenceEtcdFact]
    public async Task OurLockWaitsForTheOfficialHolder()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        using RunningCtl official = RunningCtl.Start(RunningCtl.OfficialStart(etcd.Endpoint, ["lock", "shared"]));
        string held = await official.WaitForOutput(text => text.Contains('\n'));
        Assert.StartsWith("shared/", held, StringComparison.Ordinal);

        using RunningCtl ours = RunningCtl.Start(OurCtl.ProcessStart(etcd.Endpoint, ["lock", "shared", "--", "echo", "acquired"]));
        // Our waiter must have queued behind the holder: its key exists with a later create revision.
        await RunningCtl.WaitUntil(async () => (await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "shared/", "--prefix", "-w", "fields"])).StdoutText.Contains("\"Count\" : 2", StringComparison.Ordinal));
        Assert.Equal("", ours.Output);

        official.Terminate();
        Assert.Equal("acquired\n", await ours.WaitForOutput(text => text.Contains('\n')));
        Assert.Equal(0, await ours.WaitForExit());
    }

    [ReferenceEtcdFact]
    public async Task OfficialObserverSeesOurLeader()
    {
        await using ReferenceEtcd etcd = await ReferenceEtcd.StartAsync();
        using RunningCtl ours = RunningCtl.Start(OurCtl.ProcessStart(etcd.Endpoint, ["elect", "vote", "proposal-1"]));
        string leader = await ours.WaitForOutput(text => text.Split('\n').Length > 2);
        using RunningCtl observer = RunningCtl.Start(RunningCtl.OfficialStart(etcd.Endpoint, ["elect", "-l", "vote"]));
        Assert.Equal(leader, await observer.WaitForOutput(text => text.Split('\n').Length > 2));

        ours.Terminate();
        Assert.Equal(0, await ours.WaitForExit());
        // Resigning deletes the candidate key.
        CtlResult left = await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "vote/", "--prefix"]);
        Assert.Equal("", left.StdoutText);
    }
}
