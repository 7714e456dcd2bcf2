namespace Etcd.Compat.Tests;

/// <summary>
/// The seeds' install: download the release archive, unpack it, run ./etcd, or copy the programs
/// to /usr/local/bin. Runs what ./build.sh packed (bin/etcd-v&lt;version&gt;-linux-amd64.tar.gz),
/// unpacked with tar into a temporary directory.
/// </summary>
public sealed class ReleaseArchiveTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("etcd-release-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TheArchiveHoldsOneFolderWithTheProgramsTheLibraryAndTheReadme()
    {
        var folder = await UnpackAsync();
        var version = await ProcessRunner.RunAsync(Path.Combine(folder, "etcd"), ["--version"]);
        Assert.Equal($"etcd-v{version.Stdout.Split('\n')[0]["etcd Version: ".Length..]}-linux-amd64", Path.GetFileName(folder));
        string[] expected = ["README.md", "etcd", "etcdctl", "etcdutl", "librocksdb.so"];
        Assert.Equal(expected, Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheArchivesEtcdServesFromItsFolderAndThroughALinkFromElsewhere()
    {
        var folder = await UnpackAsync();
        await using (var etcd = await EtcdProcess.StartAsync(Path.Combine(folder, "etcd")))
        {
            await PutAndGetAsync(Path.Combine(folder, "etcdctl"), etcd.Endpoint, "from-folder");
        }
        // As `ln -s /opt/etcd-v3.5.17-linux-amd64/etcd /usr/local/bin/etcd`.
        var bin = Directory.CreateDirectory(Path.Combine(_root, "usr-local-bin")).FullName;
        var link = Path.Combine(bin, "etcd");
        File.CreateSymbolicLink(link, Path.Combine(folder, "etcd"));
        await using (var etcd = await EtcdProcess.StartAsync(link))
        {
            await PutAndGetAsync(Path.Combine(folder, "etcdctl"), etcd.Endpoint, "through-link");
        }
    }

    [Fact]
    public async Task EtcdCopiedAloneSaysInOneLineWhichLibraryItLookedForAndWhere()
    {
        var folder = await UnpackAsync();
        var alone = CopyAlone(folder, "etcd");
        var result = await ProcessRunner.RunAsync(alone, ["--data-dir", Path.Combine(_root, "data")]);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var lines = result.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, result.ToString());
        Assert.Contains(Path.Combine(Path.GetDirectoryName(alone)!, "librocksdb.so"), lines[0], StringComparison.Ordinal);
        Assert.StartsWith("etcd: cannot find librocksdb.so", lines[0], StringComparison.Ordinal);
        // Nothing was started: no data dir left behind.
        Assert.False(Directory.Exists(Path.Combine(_root, "data")));
    }

    [Fact]
    public async Task EtcdctlCopiedAloneTalksToAMemberWithoutTheLibrary()
    {
        var folder = await UnpackAsync();
        var etcdctl = CopyAlone(folder, "etcdctl");
        var version = await ProcessRunner.RunAsync(etcdctl, ["version"]);
        Assert.True(version.ExitCode == 0, version.ToString());
        await using var etcd = await EtcdProcess.StartAsync(Path.Combine(folder, "etcd"));
        await PutAndGetAsync(etcdctl, etcd.Endpoint, "etcdctl-alone");
    }

    [Fact]
    public async Task EtcdutlCopiedAloneNeedsTheLibraryOnlyForDataDirCommands()
    {
        var folder = await UnpackAsync();
        var dataDir = Directory.CreateDirectory(Path.Combine(_root, "member-data")).FullName;
        await using (var etcd = await EtcdProcess.StartAsync(Path.Combine(folder, "etcd"), dataDir))
        {
            await PutAndGetAsync(Path.Combine(folder, "etcdctl"), etcd.Endpoint, "before-defrag");
        }
        var etcdutl = CopyAlone(folder, "etcdutl");
        var version = await ProcessRunner.RunAsync(etcdutl, ["version"]);
        Assert.True(version.ExitCode == 0, version.ToString());
        var alone = await ProcessRunner.RunAsync(etcdutl, ["defrag", "--data-dir", dataDir]);
        Assert.Equal(1, alone.ExitCode);
        Assert.Single(alone.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("etcdutl: cannot find librocksdb.so", alone.Stderr, StringComparison.Ordinal);
        var inFolder = await ProcessRunner.RunAsync(Path.Combine(folder, "etcdutl"), ["defrag", "--data-dir", dataDir]);
        Assert.True(inFolder.ExitCode == 0, inFolder.ToString());
    }

    private async Task<string> UnpackAsync()
    {
        var archives = Directory.GetFiles(Path.Combine(Binaries.RepoRoot, "bin"), "etcd-v*-linux-amd64.tar.gz");
        var archive = Assert.Single(archives);
        var unpacked = Directory.CreateDirectory(Path.Combine(_root, "unpacked")).FullName;
        var tar = await ProcessRunner.RunAsync("tar", ["-xzf", archive, "-C", unpacked], timeout: TimeSpan.FromMinutes(2));
        Assert.True(tar.ExitCode == 0, tar.ToString());
        var folder = Assert.Single(Directory.GetDirectories(unpacked));
        Assert.Equal(Path.GetFileName(archive)[..^".tar.gz".Length], Path.GetFileName(folder));
        return folder;
    }

    private string CopyAlone(string folder, string program)
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, program + "-alone")).FullName;
        var copy = Path.Combine(elsewhere, program);
        File.Copy(Path.Combine(folder, program), copy);
        return copy;
    }

    private static async Task PutAndGetAsync(string etcdctl, string endpoint, string value)
    {
        var put = await ProcessRunner.RunAsync(etcdctl, ["--endpoints", endpoint, "put", "release", value]);
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Equal("OK\n", put.Stdout);
        var get = await ProcessRunner.RunAsync(etcdctl, ["--endpoints", endpoint, "get", "release"]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal($"release\n{value}\n", get.Stdout);
    }
}
