namespace Etcd.Compat.Tests;

/// <summary>Where the programs under test are: ours from ./build.sh, the reference from Debian.</summary>
public static class Binaries
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Our server, as ./build.sh publishes it.</summary>
    public static string OurEtcd => Required(Path.Combine(RepoRoot, "bin", "etcd"), "run ./build.sh first");

    /// <summary>Our etcdutl, as ./build.sh publishes it.</summary>
    public static string OurEtcdutl => Required(Path.Combine(RepoRoot, "bin", "etcdutl"), "run ./build.sh first");

    /// <summary>Reference etcd 3.4 (Debian etcd-server), which the outputs are compared against.</summary>
    public static string ReferenceEtcd => Required("/usr/bin/etcd", "install Debian's etcd-server (./test.sh does)");

    /// <summary>The official etcdctl 3.4 (Debian etcd-client).</summary>
    public static string OfficialEtcdctl => Required("/usr/bin/etcdctl", "install Debian's etcd-client (./test.sh does)");

    private static string Required(string path, string hint) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing: {hint}");

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Etcd.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("cannot find the repository root (Etcd.slnx) above " + AppContext.BaseDirectory);
    }
}
