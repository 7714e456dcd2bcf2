using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Etcd.Server.Metrics;

/// <summary>
/// go-grpc-prometheus' server metrics as etcd exports them: grpc_server_started_total,
/// grpc_server_handled_total{grpc_code}, grpc_server_msg_received_total, grpc_server_msg_sent_total
/// with grpc_service, grpc_method and grpc_type labels; grpc_server_handling_seconds only with
/// --metrics extensive. Also the client byte counters. The outermost interceptor, so it sees the
/// status the client gets.
/// </summary>
public sealed class GrpcMetrics : Interceptor
{
    private static readonly ConcurrentDictionary<string, MethodCounts> Methods = new(StringComparer.Ordinal);
    private static readonly StatusCode[] Codes = Enum.GetValues<StatusCode>();

    /// <summary>Whether grpc_server_handling_seconds is kept (--metrics extensive).</summary>
    public static bool Extensive { get; set; }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var counts = Start(context.Method, "unary");
        Received(counts, request);
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Sent(counts, response);
            return response;
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        finally
        {
            Handled(counts, code, started);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var counts = Start(context.Method, "server_stream");
        Received(counts, request);
        await Track(counts, () => continuation(request, new CountingWriter<TResponse>(responseStream, counts), context)).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context,
        ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var counts = Start(context.Method, "client_stream");
        TResponse response = default!;
        await Track(counts, async () => response = await continuation(new CountingReader<TRequest>(requestStream, counts), context).ConfigureAwait(false)).ConfigureAwait(false);
        Sent(counts, response);
        return response;
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var counts = Start(context.Method, "bidi_stream");
        await Track(counts, () => continuation(new CountingReader<TRequest>(requestStream, counts), new CountingWriter<TResponse>(responseStream, counts), context)).ConfigureAwait(false);
    }

    private static async Task Track(MethodCounts counts, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.OK;
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            code = e.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            code = StatusCode.Cancelled;
            throw;
        }
        finally
        {
            Handled(counts, code, started);
        }
    }

    /// <summary>Makes the series of a method exist at zero before its first call, as go-grpc-prometheus' InitializeMetrics does.</summary>
    public static void Register(string fullMethod, string type) => Counts(fullMethod, type);

    private static MethodCounts Start(string fullMethod, string type)
    {
        var counts = Counts(fullMethod, type);
        Interlocked.Increment(ref counts.Started);
        return counts;
    }

    private static MethodCounts Counts(string fullMethod, string type) => Methods.GetOrAdd(fullMethod, static (method, type) => new MethodCounts(method, type), type);

    private static void Handled(MethodCounts counts, StatusCode code, long started)
    {
        Interlocked.Increment(ref counts.Handled[(int)code]);
        if (Extensive) counts.HandlingSeconds.Observe(Stopwatch.GetElapsedTime(started));
    }

    private static void Received(MethodCounts counts, object? message)
    {
        Interlocked.Increment(ref counts.MessagesReceived);
        if (message is IMessage m) Interlocked.Add(ref EtcdMetrics.ClientGrpcReceivedBytes, m.CalculateSize());
    }

    private static void Sent(MethodCounts counts, object? message)
    {
        Interlocked.Increment(ref counts.MessagesSent);
        if (message is IMessage m) Interlocked.Add(ref EtcdMetrics.ClientGrpcSentBytes, m.CalculateSize());
    }

    public static void WriteTo(StringBuilder text)
    {
        var methods = Methods.Values.ToArray();
        Array.Sort(methods, static (a, b) => string.CompareOrdinal(a.Labels, b.Labels));
        text.Append("# HELP grpc_server_started_total Total number of RPCs started on the server.\n# TYPE grpc_server_started_total counter\n");
        foreach (var m in methods) text.Append("grpc_server_started_total{").Append(m.Labels).Append("} ").Append(Interlocked.Read(ref m.Started)).Append('\n');
        text.Append("# HELP grpc_server_handled_total Total number of RPCs completed on the server, regardless of success or failure.\n# TYPE grpc_server_handled_total counter\n");
        foreach (var m in methods)
        {
            foreach (var code in Codes)
                text.Append("grpc_server_handled_total{grpc_code=\"").Append(CodeName(code)).Append("\",").Append(m.Labels).Append("} ")
                    .Append(Interlocked.Read(ref m.Handled[(int)code])).Append('\n');
        }
        text.Append("# HELP grpc_server_msg_received_total Total number of RPC stream messages received on the server.\n# TYPE grpc_server_msg_received_total counter\n");
        foreach (var m in methods) text.Append("grpc_server_msg_received_total{").Append(m.Labels).Append("} ").Append(Interlocked.Read(ref m.MessagesReceived)).Append('\n');
        text.Append("# HELP grpc_server_msg_sent_total Total number of gRPC stream messages sent by the server.\n# TYPE grpc_server_msg_sent_total counter\n");
        foreach (var m in methods) text.Append("grpc_server_msg_sent_total{").Append(m.Labels).Append("} ").Append(Interlocked.Read(ref m.MessagesSent)).Append('\n');
        if (!Extensive) return;
        text.Append("# HELP grpc_server_handling_seconds Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.\n# TYPE grpc_server_handling_seconds histogram\n");
        foreach (var m in methods) m.HandlingSeconds.WriteTo(text, "grpc_server_handling_seconds", m.Labels);
    }

    // Go's codes.Code String(): "OK", "Canceled", "Unknown", "InvalidArgument", ...
    private static string CodeName(StatusCode code) => code switch
    {
        StatusCode.Cancelled => "Canceled",
        _ => code.ToString(),
    };

    private sealed class MethodCounts
    {
        public MethodCounts(string fullMethod, string type)
        {
            var slash = fullMethod.LastIndexOf('/');
            var service = fullMethod[1..slash];
            var method = fullMethod[(slash + 1)..];
            Labels = string.Create(CultureInfo.InvariantCulture, $"grpc_method=\"{method}\",grpc_service=\"{service}\",grpc_type=\"{type}\"");
        }

        public readonly string Labels;
        public long Started;
        public long MessagesReceived;
        public long MessagesSent;
        public readonly long[] Handled = new long[17];
        public readonly Histogram HandlingSeconds = new(Histogram.DefaultBounds);
    }

    private sealed class CountingReader<T>(IAsyncStreamReader<T> inner, MethodCounts counts) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var more = await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            if (more) Received(counts, inner.Current);
            return more;
        }
    }

    private sealed class CountingWriter<T>(IServerStreamWriter<T> inner, MethodCounts counts) : IServerStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get => inner.WriteOptions; set => inner.WriteOptions = value; }

        public Task WriteAsync(T message)
        {
            Sent(counts, message);
            return inner.WriteAsync(message);
        }

        public Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            Sent(counts, message);
            return inner.WriteAsync(message, cancellationToken);
        }
    }
}
