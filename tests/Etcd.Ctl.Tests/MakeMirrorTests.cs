namespace Etcd.Ctl.Tests;

/// <summary>
/// make-mirror against real clusters: ours and the official etcdctl mirror the same source into
/// two destinations, which must end up holding the same keys and values, base and later changes.
/// </summary>
public sealed class MakeMirrorTests
{
    [ReferenceEtcdFact]
    public async Task OursAndTheOfficialMirrorTheSameKeys()
    {
        await using ReferenceEtcd source = await ReferenceEtcd.StartAsync();
        await using ReferenceEtcd oursDestination = await ReferenceEtcd.StartAsync();
        await using ReferenceEtcd officialDestination = await ReferenceEtcd.StartAsync();
        await PutAsync(source, "app/one", "1");
        await PutAsync(source, "app/two", "2");
        await PutAsync(source, "other/three", "3");
        // A key holding the prefix further in: etcdctl renames only the first occurrence.
        await PutAsync(source, "app/nested/app/four", "4");

        string[] mirror = ["make-mirror", "--prefix", "app/", "--dest-prefix", "copy/"];
        using RunningCtl ours = RunningCtl.Start(OurCtl.ProcessStart(source.Endpoint, [.. mirror, oursDestination.Endpoint]));
        using RunningCtl official = RunningCtl.Start(RunningCtl.OfficialStart(source.Endpoint, [.. mirror, officialDestination.Endpoint]));

        string baseCopy = "copy/nested/app/four\n4\ncopy/one\n1\ncopy/two\n2\n";
        await WaitForKeysAsync(oursDestination, baseCopy);
        await WaitForKeysAsync(officialDestination, baseCopy);

        // Later changes, a multi-key txn among them, are replayed revision by revision.
        await PutAsync(source, "app/two", "2b");
        CtlResult deleted = await OfficialCtl.RunAsync(source.Endpoint, ["del", "app/one"]);
        Assert.Equal(0, deleted.ExitCode);
        CtlResult txn = await OfficialCtl.RunAsync(source.Endpoint, ["txn"], "\nput app/five 5\nput app/six 6\nput other/seven 7\n\n\n");
        Assert.Equal(0, txn.ExitCode);

        string changed = "copy/five\n5\ncopy/nested/app/four\n4\ncopy/six\n6\ncopy/two\n2b\n";
        await WaitForKeysAsync(officialDestination, changed);
        await WaitForKeysAsync(oursDestination, changed);
        Assert.Equal("", ours.Output);
    }

    [ReferenceEtcdFact]
    public async Task WithoutAPrefixEverythingIsMirroredUnderTheSameNames()
    {
        await using ReferenceEtcd source = await ReferenceEtcd.StartAsync();
        await using ReferenceEtcd destination = await ReferenceEtcd.StartAsync();
        await PutAsync(source, "a", "1");
        await PutAsync(source, "z/deep", "2");

        using RunningCtl ours = RunningCtl.Start(OurCtl.ProcessStart(source.Endpoint, ["make-mirror", destination.Endpoint]));
        await WaitForKeysAsync(destination, "a\n1\nz/deep\n2\n");
        await PutAsync(source, "b", "3");
        await WaitForKeysAsync(destination, "a\n1\nb\n3\nz/deep\n2\n");
    }

    [ReferenceEtcdFact]
    public async Task BadArgumentsAreRefusedAsEtcdctlRefusesThem()
    {
        await using ReferenceEtcd source = await ReferenceEtcd.StartAsync();
        await CtlComparison.AssertSameAsync(source.Endpoint, ["make-mirror"]);
        await CtlComparison.AssertSameAsync(source.Endpoint, ["make-mirror", "a", "b"]);
        await CtlComparison.AssertSameAsync(source.Endpoint, ["make-mirror", "--dest-prefix", "x", "--no-dest-prefix", source.Endpoint]);
        CtlResult untouched = await OfficialCtl.RunAsync(source.Endpoint, ["get", "", "--from-key"]);
        Assert.Equal("", untouched.StdoutText);
    }

    private static async Task PutAsync(ReferenceEtcd etcd, string key, string value)
    {
        CtlResult put = await OfficialCtl.RunAsync(etcd.Endpoint, ["put", key, value]);
        Assert.True(put.ExitCode == 0, put.ToString());
    }

    private static Task WaitForKeysAsync(ReferenceEtcd etcd, string expected)
        => RunningCtl.WaitUntil(async () => (await OfficialCtl.RunAsync(etcd.Endpoint, ["get", "", "--from-key"])).StdoutText == expected);
}
