using Etcd.Storage.Backend.RocksDb.Native;
using Etcd.Util.Cli;

namespace Etcd.Util;

/// <summary>etcdutl: offline tools for snapshot files and stopped members' data dirs (etcd 3.5's etcdutl).</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            return EtcdutlCommands.Run(args, Console.Out, Console.Error);
        }
        catch (UtilException e)
        {
            Console.Error.WriteLine("Error: " + e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (RocksDbLibrary.IsMissing(e, out var message))
        {
            Console.Error.WriteLine(message);
            return 1;
        }
    }
}
