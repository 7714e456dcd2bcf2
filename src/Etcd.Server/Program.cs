using System.Collections;
using System.Runtime.InteropServices;
using Etcd.Server.Configuration;
using Etcd.Server.Core;
using Etcd.Server.Hosting;
using Etcd.Server.Logging;
using Etcd.Storage.Backend.RocksDb.Native;

namespace Etcd.Server;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["gateway", .. var gatewayArgs]) return await TcpGateway.GatewayCommand.RunAsync(gatewayArgs).ConfigureAwait(false);
        var flags = new FlagSet(EtcdFlags.All);
        EtcdConfig config;
        string? configFile = null;
        try
        {
            flags.Parse(args);
            if (flags.HelpRequested)
            {
                Console.Out.Write(Usage.Text());
                return 0;
            }
            if (flags.GetBool("version"))
            {
                Console.Out.Write(Usage.VersionText());
                return 0;
            }
            if (flags.Positional.Count > 0)
                throw new FlagError($"'{flags.Positional[0]}' is not a valid flag", 1, false);
            flags = ConfigurationSources.Resolve(flags, Environment(), out configFile);
            config = EtcdConfig.From(flags);
        }
        catch (FlagError e)
        {
            if (e.PrintUsage)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.Write(Usage.Text());
            }
            else
            {
                Console.Error.WriteLine($"error verifying flags, {e.Message}. See 'etcd --help'.");
            }
            return e.ExitCode;
        }

        // Before anything starts: without RocksDB's library the member cannot open its backend.
        if (!RocksDbLibrary.TryLoad(out var missing))
        {
            Console.Error.WriteLine(missing);
            return 1;
        }
        using var logger = ZapLogger.Create(config.LogLevel, config.LogOutputs);
        if (configFile is not null)
            logger.Info("loaded server configuration, other configuration command line flags and environment variables will be ignored if provided", LogField.Of("path", configFile));
        foreach (var note in flags.EnvironmentNotes) logger.Info(note);
        EtcdServer server;
        try
        {
            server = await ServerBootstrap.StartAsync(config, logger).ConfigureAwait(false);
        }
        catch (BootstrapException e)
        {
            logger.Error("failed to start etcd", LogField.Of("error", e.Message));
            return 1;
        }

        await using (server.ConfigureAwait(false))
        {
            if (config.InitialCorruptCheck)
            {
                try
                {
                    await Corruption.InitialCorruptCheck.RunAsync(server, logger).ConfigureAwait(false);
                }
                catch (BootstrapException e)
                {
                    logger.Error("failed to start etcd", LogField.Of("error", e.Message));
                    return 1;
                }
            }
            var app = ServerHost.Build(server);
            using var stopping = new CancellationTokenSource();
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });
            server.Raft.Failed += _ => stopping.Cancel();
            try
            {
                await app.StartAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // A client port in use: etcd gives up with the listener's error and exit code 1.
                logger.Warn("failed to start etcd", LogField.Of("error", e.Message));
                return 1;
            }
            server.ClientsListening.TrySetResult();
            await server.ReadyToServe.Task.WaitAsync(stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (!stopping.IsCancellationRequested)
            {
                logger.Info("ready to serve client requests");
                SystemdNotify.Ready(logger);
                foreach (var url in config.ListenClientUrls)
                    logger.Warn("serving client traffic insecurely; this is strongly discouraged!", LogField.Of("address", $"{url.Host}:{url.Port}"));
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            logger.Info("received signal; shutting down");
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            logger.Info("closed etcd server", LogField.Of("name", config.Name), LogField.Of("data-dir", config.DataDir));
        }
        return 0;
    }

    private static Dictionary<string, string> Environment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
            variables[(string)entry.Key] = (string?)entry.Value ?? "";
        return variables;
    }
}
