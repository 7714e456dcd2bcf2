using Grpc.Core;

namespace Etcd.Client;

/// <summary>
/// Adds what every etcd call needs: the auth token as "token" metadata, and wait-for-ready so a
/// call made before the connection is up waits (until its deadline) instead of failing at once,
/// as etcd's Go client does.
/// </summary>
internal sealed class EtcdCallInvoker(CallInvoker inner, EtcdClient.TokenHolder token) : CallInvoker
{
    private const string TokenMetadataKey = "token";

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        => inner.BlockingUnaryCall(method, host, Prepare(options), request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        => inner.AsyncUnaryCall(method, host, Prepare(options), request);

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        => inner.AsyncServerStreamingCall(method, host, Prepare(options), request);

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        => inner.AsyncClientStreamingCall(method, host, Prepare(options));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        => inner.AsyncDuplexStreamingCall(method, host, Prepare(options));

    private CallOptions Prepare(CallOptions options)
    {
        options = options.WithWaitForReady(true);
        string? value = token.Value;
        if (value is null)
        {
            return options;
        }

        // Copy rather than mutate: the caller may reuse its Metadata for other calls.
        var headers = new Metadata();
        if (options.Headers is { } existing)
        {
            foreach (Metadata.Entry entry in existing)
            {
                headers.Add(entry);
            }
        }

        headers.Add(TokenMetadataKey, value);
        return options.WithHeaders(headers);
    }
}
