using Xunit.Abstractions;

namespace Etcd.Compat.Tests;

/// <summary>
/// Snapshots are the door between etcd and us, both ways: ours saved with the official etcdctl
/// and restored with it runs on real etcd 3.4; real etcd's restored with our etcdutl runs on
/// ours; each serves the same keys at the same revisions, the compaction, leases, users and roles.
/// </summary>
public sealed class SnapshotRoundTripTests(ITestOutputHelper output)
{
    [Fact]
    public async Task OursSavedAndRestoredByTheOfficialToolsRunsOnRealEtcd()
    {
        using var dir = new TestDirectory();
        string expected;
        long compactedAt;
        var snapshot = Path.Combine(dir.Path, "ours.db");
        await using (var ours = await EtcdProcess.StartAsync(Binaries.OurEtcd))
        {
            compactedAt = await SnapshotDataset.LoadAsync(ours.Endpoint);
            expected = await SnapshotDataset.DescribeAsync(ours.Endpoint, compactedAt);
            await RunAsync(Binaries.OfficialEtcdctl, ["--endpoints", ours.Endpoint, "snapshot", "save", snapshot]);
        }
        await AssertSameStatusAsync(snapshot);

        var peerPort = FreePort.Next();
        var restored = Path.Combine(dir.Path, "restored");
        await RunAsync(Binaries.OfficialEtcdctl, ["snapshot", "restore", snapshot, "--name", "default", "--data-dir", restored,
            "--initial-cluster", $"default=http://127.0.0.1:{peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPort}"]);
        await using var etcd = await EtcdProcess.StartAsync(Binaries.ReferenceEtcd, restored, peerPort: peerPort);
        Assert.Equal(expected, await SnapshotDataset.DescribeAsync(etcd.Endpoint, compactedAt));
    }

    [Fact]
    public async Task RealEtcdsSnapshotAndDbRestoredByOurEtcdutlRunOnOurs()
    {
        using var dir = new TestDirectory();
        string expected;
        long compactedAt;
        var snapshot = Path.Combine(dir.Path, "etcd.db");
        var etcdDataDir = Path.Combine(dir.Path, "etcd-data");
        await using (var etcd = await EtcdProcess.StartAsync(Binaries.ReferenceEtcd, etcdDataDir))
        {
            compactedAt = await SnapshotDataset.LoadAsync(etcd.Endpoint);
            expected = await SnapshotDataset.DescribeAsync(etcd.Endpoint, compactedAt);
            await RunAsync(Binaries.OfficialEtcdctl, ["--endpoints", etcd.Endpoint, "snapshot", "save", snapshot]);
        }
        await AssertSameStatusAsync(snapshot);

        // From the saved snapshot, and straight from etcd's data dir (no hash there: --skip-hash-check).
        foreach (var (source, extra) in new[] { (snapshot, Array.Empty<string>()), (Path.Combine(etcdDataDir, "member", "snap", "db"), ["--skip-hash-check"]) })
        {
            var peerPort = FreePort.Next();
            var restored = Path.Combine(dir.Path, "restored-" + Guid.NewGuid().ToString("N"));
            await RunAsync(Binaries.OurEtcdutl, ["snapshot", "restore", source, "--name", "default", "--data-dir", restored,
                "--initial-cluster", $"default=http://127.0.0.1:{peerPort}", "--initial-advertise-peer-urls", $"http://127.0.0.1:{peerPort}", .. extra]);
            await using var ours = await EtcdProcess.StartAsync(Binaries.OurEtcd, restored, peerPort: peerPort);
            Assert.Equal(expected, await SnapshotDataset.DescribeAsync(ours.Endpoint, compactedAt));
        }
    }

    [Fact]
    public async Task OurServerRefusesRealEtcdsDataDirAndLeavesItAsItWas()
    {
        using var dir = new TestDirectory();
        var etcdDataDir = Path.Combine(dir.Path, "etcd-data");
        await using (var etcd = await EtcdProcess.StartAsync(Binaries.ReferenceEtcd, etcdDataDir))
        {
            await new Etcdctl(etcd.Endpoint, Binaries.OfficialEtcdctl).RunAsync("put", "k", "v");
        }
        var before = Fingerprint(etcdDataDir);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => EtcdProcess.StartAsync(Binaries.OurEtcd, etcdDataDir));
        Assert.Contains($"etcdutl snapshot restore {Path.Combine(etcdDataDir, "member", "snap", "db")} --skip-hash-check", error.Message);
        Assert.Equal(before, Fingerprint(etcdDataDir));
    }

    [Fact]
    public async Task DamagedSnapshotsAreRefusedAndLeaveNoDataDir()
    {
        using var dir = new TestDirectory();
        var snapshot = Path.Combine(dir.Path, "ours.db");
        await using (var ours = await EtcdProcess.StartAsync(Binaries.OurEtcd))
        {
            await new Etcdctl(ours.Endpoint, Binaries.OfficialEtcdctl).RunAsync("put", "k", "v");
            await RunAsync(Binaries.OfficialEtcdctl, ["--endpoints", ours.Endpoint, "snapshot", "save", snapshot]);
        }
        var bytes = await File.ReadAllBytesAsync(snapshot);
        var flipped = Path.Combine(dir.Path, "flipped.db");
        bytes[5000] ^= 0x40;
        await File.WriteAllBytesAsync(flipped, bytes);
        var cut = Path.Combine(dir.Path, "cut.db");
        await File.WriteAllBytesAsync(cut, bytes[..9000]);
        var target = Path.Combine(dir.Path, "target");
        foreach (var (file, expected, official) in new[]
        {
            (flipped, "Error: expected sha256 [", true),
            (cut, "Error: snapshot missing hash but --skip-hash-check=false", true),
            (cut, "is not a valid etcd database: bbolt: file of 9000 bytes is shorter than", false),
        })
        {
            string[] args = ["snapshot", "restore", file, "--data-dir", target, .. official ? Array.Empty<string>() : ["--skip-hash-check"]];
            var ours = await ProcessRunner.RunAsync(Binaries.OurEtcdutl, args);
            Assert.True(ours.ExitCode == 1, ours.ToString());
            Assert.Contains(expected, ours.Stderr);
            if (official)
            {
                var theirs = await ProcessRunner.RunAsync(Binaries.OfficialEtcdctl, args);
                Assert.Equal(theirs.Stderr.Split('\n').Last(l => l.StartsWith("Error:", StringComparison.Ordinal)), ours.Stderr.Split('\n').Last(l => l.StartsWith("Error:", StringComparison.Ordinal)));
                if (Directory.Exists(target)) Directory.Delete(target, recursive: true); // etcdctl 3.4 leaves its half-restore behind
            }
            Assert.False(Path.Exists(target), "a failed restore left " + target);
            Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(dir.Path), p => Path.GetFileName(p).StartsWith('.'));
        }
    }

    /// <summary>Our etcdutl and the official etcdctl print the same status for the file, in every format.</summary>
    private async Task AssertSameStatusAsync(string snapshot)
    {
        foreach (var format in new[] { "table", "json", "simple", "fields" })
        {
            var theirs = await RunAsync(Binaries.OfficialEtcdctl, ["snapshot", "status", snapshot, "-w", format]);
            var ours = await RunAsync(Binaries.OurEtcdutl, ["snapshot", "status", snapshot, "-w", format]);
            Assert.Equal(theirs.Stdout, ours.Stdout);
        }
    }

    private async Task<CommandResult> RunAsync(string binary, string[] args)
    {
        var result = await ProcessRunner.RunAsync(binary, args);
        output.WriteLine($"{Path.GetFileName(binary)} {string.Join(' ', args)}: exit {result.ExitCode}");
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    private static string Fingerprint(string dir) => string.Join("\n", Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        .Select(f => f + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))));
}

/// <summary>A fresh directory under the system temp path, deleted with everything in it on dispose.</summary>
public sealed class TestDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("etcd-snapshot-test-").FullName;

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
