using Etcd.Server.Logging;

namespace Etcd.Util.DataDirs;

/// <summary>etcdutl defrag --data-dir: compacts the stopped member's backend in place.</summary>
public static class DataDirDefrag
{
    public static void Run(string dataDir, ZapLogger logger)
    {
        using var backend = new MemberDataDir(dataDir).OpenBackend(logger);
        backend.Defragment();
    }
}
