namespace Etcd.Client;

/// <summary>How to reach and authenticate against an etcd cluster.</summary>
public sealed class EtcdClientOptions
{
    /// <summary>Client URLs ("http://host:port", "https://host:port") or bare "host:port".</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = ["127.0.0.1:2379"];

    /// <summary>Bound on establishing the connection and on authenticating during connect.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Idle time after which an HTTP/2 ping checks the connection is alive.</summary>
    public TimeSpan KeepAliveTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait for the ping's answer before the connection is dropped.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>When set, the client authenticates as this user and sends the token with every call.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Transport security; null means plain HTTP/2 (h2c) unless an endpoint says https.</summary>
    public EtcdTlsOptions? Tls { get; init; }
}

/// <summary>TLS settings, mirroring etcdctl's --cacert/--cert/--key/--insecure-skip-tls-verify.</summary>
public sealed class EtcdTlsOptions
{
    /// <summary>PEM bundle of CAs that may sign the server certificate.</summary>
    public string? CaCertFile { get; init; }

    /// <summary>PEM client certificate, for clusters that require client certificates.</summary>
    public string? CertFile { get; init; }

    /// <summary>PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>Accept any server certificate. For tests only.</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>Name to verify the server certificate against, when it differs from the endpoint host.</summary>
    public string? ServerName { get; init; }
}
