using System.Globalization;
using Etcd.Api.Text;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Output;
using Etcd.Ctl.Printers;
using Grpc.Core;

namespace Etcd.Ctl.Commands;

/// <summary>
/// What a running command derives from the global flags: ETCDCTL_* environment, the printer,
/// the client, and deadlines. Mirrors etcdctl's clientConfigFromCmd/mustClientFromCmd.
/// </summary>
public sealed class CommandContext(Invocation invocation)
{
    private const string EnvPrefix = "ETCDCTL_";
    private bool _environmentApplied;
    private Printer? _printer;

    public Invocation Invocation { get; } = invocation;

    public FlagValues Flags => Invocation.Flags;

    public IReadOnlyList<string> Args => Invocation.Args;

    public ConsoleOutput Out => Invocation.Out;

    public ConsoleOutput Err => Invocation.Err;

    /// <summary>The printer selected by --write-out and --hex.</summary>
    public Printer Printer => _printer ??= CreatePrinter();

    public TimeSpan CommandTimeout => Flags.GetDuration("command-timeout");

    /// <summary>
    /// Fills inherited flags not given on the command line from ETCDCTL_&lt;FLAG&gt; variables; a variable
    /// that shadows a flag given on the command line is an error, as in etcdctl 3.5.
    /// </summary>
    public void ApplyEnvironment()
    {
        if (_environmentApplied)
        {
            return;
        }

        _environmentApplied = true;
        foreach (FlagSpec flag in Invocation.Command.InheritedFlags)
        {
            string name = EnvPrefix + flag.Name.ToUpperInvariant().Replace('-', '_');
            if (!Invocation.Environment.TryGetValue(name, out string? value) || value.Length == 0)
            {
                continue;
            }

            if (Flags.Changed(flag.Name))
            {
                throw new CtlExitException(ExitCode.BadArgs, "conflicting environment variable \"" + name
                    + "\" is shadowed by corresponding command-line flag (either unset environment variable or disable flag))");
            }

            string? error = Flags.Set(flag, value);
            if (error is not null)
            {
                throw new CtlExitException(ExitCode.BadArgs, "invalid value \"" + value + "\" for " + name + ": " + error);
            }
        }

        if (Flags.GetBool("debug"))
        {
            PrintFlagEnvironment();
        }
    }

    // --debug shows every inherited flag as the ETCDCTL_ variable that would set it.
    private void PrintFlagEnvironment()
    {
        var inherited = new List<FlagSpec>(Invocation.Command.InheritedFlags);
        inherited.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (FlagSpec flag in inherited)
        {
            string value = flag.Kind == FlagKind.Duration ? GoDuration.Format(Flags.GetDuration(flag.Name)) : Flags.Raw(flag.Name);
            Err.WriteLine(EnvPrefix + flag.Name.ToUpperInvariant().Replace('-', '_') + "=" + value);
        }
    }

    /// <summary>Client options from the global flags (after the environment is applied).</summary>
    public EtcdClientOptions ClientOptions(IReadOnlyList<string>? endpoints = null, bool withAuth = true)
    {
        ApplyEnvironment();
        string cert = NonEmptyFileFlag("cert");
        string key = NonEmptyFileFlag("key");
        string cacert = NonEmptyFileFlag("cacert");
        (string? user, string? password) = withAuth ? Credentials() : (null, null);
        EtcdTlsOptions? tls = null;
        bool anyTlsFile = cert.Length > 0 || key.Length > 0 || cacert.Length > 0;
        if (anyTlsFile || !Flags.GetBool("insecure-transport"))
        {
            tls = new EtcdTlsOptions
            {
                CertFile = cert.Length > 0 ? cert : null,
                KeyFile = key.Length > 0 ? key : null,
                CaCertFile = cacert.Length > 0 ? cacert : null,
                InsecureSkipVerify = Flags.GetBool("insecure-skip-tls-verify"),
            };
        }

        return new EtcdClientOptions
        {
            Endpoints = endpoints ?? Endpoints(),
            DialTimeout = Flags.GetDuration("dial-timeout"),
            KeepAliveTime = Flags.GetDuration("keepalive-time"),
            KeepAliveTimeout = Flags.GetDuration("keepalive-timeout"),
            Username = user,
            Password = password,
            Tls = tls,
        };
    }

    /// <summary>--endpoints, trimmed.</summary>
    public IReadOnlyList<string> Endpoints()
    {
        ApplyEnvironment();
        IReadOnlyList<string> raw = Flags.GetStringSlice("endpoints");
        var endpoints = new List<string>(raw.Count);
        foreach (string e in raw)
        {
            endpoints.Add(e.Trim());
        }

        return endpoints;
    }

    /// <summary>Connects as etcdctl's mustClientFromCmd does: the printer is checked first, failures exit 2.</summary>
    public async Task<EtcdClient> ConnectAsync(IReadOnlyList<string>? endpoints = null)
    {
        EtcdClientOptions options = ClientOptions(endpoints);
        _ = Printer;
        try
        {
            return await EtcdClient.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            // Authentication during connect goes through the Go client's retrying invoker too.
            WriteRetryWarning(options.Endpoints[0], EtcdErrorText.GrpcStatusText(e.StatusCode, e.Status.Detail));
            throw new CtlExitException(ExitCode.BadConnection, EtcdErrorText.Describe(e, e.StatusCode == StatusCode.DeadlineExceeded));
        }
    }

    /// <summary>A deadline --command-timeout from now.</summary>
    public DateTime CommandDeadline() => DateTime.UtcNow + CommandTimeout;

    /// <summary>
    /// Runs one unary call with the command deadline. A failure logs the Go client's retry warning
    /// on stderr (etcdctl shows it) and becomes a <see cref="CallFailedException"/>.
    /// </summary>
    public async Task<T> CallAsync<T>(EtcdClient client, Func<DateTime, AsyncUnaryCall<T>> call, DateTime? deadline = null)
    {
        DateTime effective = deadline ?? CommandDeadline();
        try
        {
            return await call(effective).ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            bool expired = DateTime.UtcNow >= effective;
            string message = EtcdErrorText.Describe(e, expired);
            string logged = expired
                ? EtcdErrorText.GrpcStatusText(StatusCode.DeadlineExceeded, "context deadline exceeded")
                : EtcdErrorText.GrpcStatusText(e.StatusCode, e.Status.Detail);
            WriteRetryWarning(client.Endpoint, logged);
            throw new CallFailedException(message, e.StatusCode);
        }
    }

    /// <summary>The zap warning etcd's Go client logs when a unary call fails.</summary>
    public void WriteRetryWarning(string endpoint, string error)
    {
        var w = new GoJsonWriter();
        w.BeginObject().String("level", "warn")
            .String("ts", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture))
            .String("logger", "etcd-client").String("caller", "v3@v3.5.17/retry_interceptor.go:62")
            .String("msg", "retrying of unary invoker failed")
            .String("target", "etcd-endpoints://0xc000020000/" + endpoint)
            .Int("attempt", 0).String("error", error).EndObject();
        Out.Flush();
        Err.WriteLine(w.ToString());
    }

    private Printer CreatePrinter()
    {
        Printer? printer = Printer.Create(Flags.GetString("write-out"), Flags.GetBool("hex"), Out, Err);
        return printer ?? throw new CtlExitException(ExitCode.BadFeature, "unsupported output format");
    }

    private string NonEmptyFileFlag(string name)
    {
        string value = Flags.GetString(name);
        if (value.Length == 0 && Flags.Changed(name))
        {
            throw new CtlExitException(ExitCode.BadArgs, "empty string is passed to --" + name + " option");
        }

        return value;
    }

    private (string? User, string? Password) Credentials()
    {
        string user = Flags.GetString("user");
        string password = Flags.GetString("password");
        if (user.Length == 0)
        {
            return (null, null);
        }

        if (password.Length > 0)
        {
            return (user, password);
        }

        int colon = user.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            return (user[..colon], user[(colon + 1)..]);
        }

        return (user, PasswordPrompt.Ask("Password: ", Out));
    }
}
