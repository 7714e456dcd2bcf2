using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Etcd.Server.Configuration;
using Etcd.Server.Logging;

namespace Etcd.Server.TcpGateway;

/// <summary>
/// `etcd gateway start`: etcd's stateless TCP proxy in front of a cluster's client endpoints,
/// with etcd 3.4's flags, defaults and messages.
/// </summary>
public static class GatewayCommand
{
    private static readonly FlagDefinition[] Flags =
    [
        new("listen-addr", FlagKind.String, "127.0.0.1:23790", "listen address"),
        new("discovery-srv", FlagKind.String, "", "DNS domain used to bootstrap initial cluster"),
        new("discovery-srv-name", FlagKind.String, "", "service name to query when using DNS discovery"),
        new("insecure-discovery", FlagKind.Bool, "false", "accept insecure SRV records"),
        new("trusted-ca-file", FlagKind.String, "", "path to the client server TLS CA file for verifying the discovered endpoints when discovery-srv is provided."),
        new("endpoints", FlagKind.String, "127.0.0.1:2379", "comma separated etcd cluster endpoints"),
        new("retry-delay", FlagKind.Duration, "1m0s", "duration of delay before retrying failed endpoints"),
    ];

    private const string Usage = "Usage:\n  etcd gateway [command]\n\nAvailable Commands:\n  start       start the gateway\n";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        // cobra takes the subcommand wherever it stands among the flags.
        var flagArgs = args.Where(a => a != "start").ToArray();
        if (flagArgs.Length == args.Count)
        {
            Console.Out.Write(Usage);
            return 0;
        }
        var flags = new FlagSet(Flags);
        try
        {
            flags.Parse(flagArgs);
        }
        catch (FlagError e)
        {
            Console.Error.WriteLine("Error: " + e.Message);
            return 1;
        }

        var endpoints = new List<DnsEndPoint>();
        foreach (var endpoint in flags.GetString("endpoints").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            // A URL counts for its host:port, as etcd's stripSchema does.
            var hostPort = Uri.TryCreate(endpoint, UriKind.Absolute, out var url) && url.Authority.Length > 0 && endpoint.Contains("://", StringComparison.Ordinal)
                ? url.Authority : endpoint;
            if (!TrySplitHostPort(hostPort, out var host, out var port))
            {
                Console.Out.Write($"error parsing endpoint \"{endpoint}\"");
                return 1;
            }
            endpoints.Add(new DnsEndPoint(host, port));
        }
        if (endpoints.Count == 0)
        {
            Console.Out.WriteLine("no endpoints found");
            return 1;
        }
        var listenAddr = flags.GetString("listen-addr");
        if (!TrySplitHostPort(listenAddr, out var listenHost, out var listenPort))
        {
            Console.Out.WriteLine("failed to validate listen address: " + listenAddr);
            return 1;
        }

        using var logger = ZapLogger.Create("info", ["stderr"]);
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            var address = IPAddress.TryParse(listenHost, out var ip) ? ip : (await Dns.GetHostAddressesAsync(listenHost).ConfigureAwait(false))[0];
            if (address.AddressFamily == AddressFamily.InterNetwork) address = address.MapToIPv6();
            listener.Bind(new IPEndPoint(address, listenPort));
            listener.Listen(1024);
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"listen tcp {listenAddr}: bind: {e.Message}");
            return 1;
        }

        using var stopping = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping.Cancel(); });
        // Listening: a Type=notify unit for the gateway may go on, as etcd's gateway tells systemd.
        Hosting.SystemdNotify.Ready(logger);
        await new TcpProxy(listener, endpoints, flags.GetDuration("retry-delay"), logger).RunAsync(stopping.Token).ConfigureAwait(false);
        return 0;
    }

    // Go's net.SplitHostPort for the forms etcd's flags take: host:port and [v6]:port.
    private static bool TrySplitHostPort(string hostPort, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = hostPort.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(hostPort.AsSpan(colon + 1), out port) || port is < 0 or > 65535) return false;
        host = hostPort[..colon].Trim('[', ']');
        return true;
    }
}
