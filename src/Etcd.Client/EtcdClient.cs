using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.V3electionpb;
using Etcd.Api.V3lockpb;
using Grpc.Core;
using Grpc.Net.Client;
using Lock = Etcd.Api.V3lockpb.Lock;

namespace Etcd.Client;

/// <summary>
/// A connection to one etcd member with typed access to every v3 service.
/// Calls wait for the connection to come up (bounded by their deadline) and carry the auth
/// token once <see cref="AuthenticateAsync"/> has run.
/// </summary>
public sealed class EtcdClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly TokenHolder _token;

    private EtcdClient(EtcdClientOptions options, string endpoint, TokenHolder token)
    {
        Options = options;
        Endpoint = endpoint;
        _token = token;
        bool secure = options.Tls is not null;
        _channel = GrpcChannel.ForAddress(EndpointAddress.ToUri(endpoint, secure), new GrpcChannelOptions
        {
            HttpHandler = CreateHandler(options),
            DisposeHttpClient = true,
            // etcd sends responses of any size (a large range); the server enforces request limits.
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        CallInvoker = new EtcdCallInvoker(_channel.CreateCallInvoker(), token);
        KV = new KV.KVClient(CallInvoker);
        Watch = new Watch.WatchClient(CallInvoker);
        Lease = new Lease.LeaseClient(CallInvoker);
        Cluster = new Cluster.ClusterClient(CallInvoker);
        Maintenance = new Maintenance.MaintenanceClient(CallInvoker);
        Auth = new Auth.AuthClient(CallInvoker);
        Lock = new Lock.LockClient(CallInvoker);
        Election = new Election.ElectionClient(CallInvoker);
    }

    public EtcdClientOptions Options { get; }

    /// <summary>The endpoint this client talks to (the first of <see cref="EtcdClientOptions.Endpoints"/>).</summary>
    public string Endpoint { get; }

    /// <summary>Invoker that adds the auth token and wait-for-ready to every call.</summary>
    public CallInvoker CallInvoker { get; }

    public KV.KVClient KV { get; }

    public Watch.WatchClient Watch { get; }

    public Lease.LeaseClient Lease { get; }

    public Cluster.ClusterClient Cluster { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public Auth.AuthClient Auth { get; }

    public Lock.LockClient Lock { get; }

    public Election.ElectionClient Election { get; }

    /// <summary>The auth token in use, or null when the client is not authenticated.</summary>
    public string? Token => _token.Value;

    /// <summary>Creates a client without contacting the server; the connection is made by the first call.</summary>
    public static EtcdClient Create(EtcdClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one endpoint is required", nameof(options));
        }

        return new EtcdClient(options, options.Endpoints[0], new TokenHolder());
    }

    /// <summary>Creates a client and, when a user name is configured, authenticates within the dial timeout.</summary>
    public static async Task<EtcdClient> ConnectAsync(EtcdClientOptions options, CancellationToken cancellationToken = default)
    {
        EtcdClient client = Create(options);
        if (!string.IsNullOrEmpty(options.Username))
        {
            try
            {
                await client.AuthenticateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        return client;
    }

    /// <summary>A client for another member with the same options, sharing this client's auth token.</summary>
    public EtcdClient ForEndpoint(string endpoint) => new(Options, endpoint, _token);

    /// <summary>Exchanges the configured user name and password for a token sent with later calls.</summary>
    public async Task AuthenticateAsync(CancellationToken cancellationToken = default)
    {
        var request = new AuthenticateRequest { Name = Options.Username ?? "", Password = Options.Password ?? "" };
        DateTime? deadline = Options.DialTimeout > TimeSpan.Zero ? DateTime.UtcNow + Options.DialTimeout : null;
        AuthenticateResponse response = await Auth.AuthenticateAsync(request, deadline: deadline, cancellationToken: cancellationToken).ConfigureAwait(false);
        _token.Value = response.Token;
    }

    public void Dispose() => _channel.Dispose();

    private static SocketsHttpHandler CreateHandler(EtcdClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // Zero is Go's "no timeout" (etcdctl --dial-timeout 0s, as etcd's e2e tests pass it).
            ConnectTimeout = options.DialTimeout > TimeSpan.Zero ? options.DialTimeout : Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = options.KeepAliveTime,
            KeepAlivePingTimeout = options.KeepAliveTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        };
        if (options.Tls is { } tls)
        {
            handler.SslOptions = CreateSslOptions(tls);
        }

        return handler;
    }

    /// <summary>TLS options from the PEM files (etcdctl v2's HTTP client uses the same rules).</summary>
    public static SslClientAuthenticationOptions CreateSslOptions(EtcdTlsOptions tls)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (!string.IsNullOrEmpty(tls.ServerName))
        {
            ssl.TargetHost = tls.ServerName;
        }

        if (!string.IsNullOrEmpty(tls.CertFile) && !string.IsNullOrEmpty(tls.KeyFile))
        {
            ssl.ClientCertificates = [X509Certificate2.CreateFromPemFile(tls.CertFile, tls.KeyFile)];
        }

        if (tls.InsecureSkipVerify)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (!string.IsNullOrEmpty(tls.CaCertFile))
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.CaCertFile);
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                CertificateChainsTo(roots, certificate, errors);
        }

        return ssl;
    }

    // With a custom CA bundle the system trust store must not decide: only the bundle counts,
    // but name mismatches are still errors.
    private static bool CertificateChainsTo(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    /// <summary>Shared, mutable holder so per-endpoint clients reuse one token.</summary>
    internal sealed class TokenHolder
    {
        public volatile string? Value;
    }
}
