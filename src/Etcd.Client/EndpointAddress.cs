namespace Etcd.Client;

/// <summary>Turns the endpoint spellings etcd accepts into the URI a gRPC channel needs.</summary>
public static class EndpointAddress
{
    /// <summary>
    /// "host:port" becomes "http://host:port" (or https when TLS is configured);
    /// URLs with a scheme keep it.
    /// </summary>
    public static Uri ToUri(string endpoint, bool secure)
    {
        string trimmed = endpoint.Trim();
        if (trimmed.StartsWith("http://", StringComparison.Ordinal) || trimmed.StartsWith("https://", StringComparison.Ordinal))
        {
            return new Uri(trimmed);
        }

        return new Uri((secure ? "https://" : "http://") + trimmed);
    }
}
