namespace Etcd.Server.Configuration;

/// <summary>
/// Where the flags' values come from, as etcd decides: with --config-file (or ETCD_CONFIG_FILE)
/// the file alone, the rest of the command line and every other ETCD_* variable ignored;
/// without it, the command line, then the environment for flags it does not give.
/// </summary>
public static class ConfigurationSources
{
    /// <summary>The flags to start with; <paramref name="configFile"/> is the file read, or null.</summary>
    public static FlagSet Resolve(FlagSet commandLine, IDictionary<string, string> environment, out string? configFile)
    {
        var path = commandLine.GetString("config-file");
        // etcd reads this one variable first: it decides whether the others count.
        if (path.Length == 0) path = environment.TryGetValue(EtcdFlags.ConfigFileVariable, out var variable) ? variable : "";
        if (path.Length == 0)
        {
            configFile = null;
            commandLine.ApplyEnvironment(environment);
            return commandLine;
        }
        var fromFile = new FlagSet(EtcdFlags.All);
        fromFile.ApplyConfigFile(ConfigFile.Read(path, fromFile.Definitions));
        configFile = path;
        return fromFile;
    }
}
