using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// One gateway request forwarded as a gRPC call, following grpc-gateway v1's generated handlers:
/// the body's JSON is the request (the successive values of a client stream); a unary answer is
/// the response's JSON, a stream answers one {"result":...} line per message.
/// </summary>
public static class GatewayCall
{
    public static async Task ForwardAsync(HttpContext http, GatewayRoute route, CallInvoker invoker, long maxValueBytes, CancellationToken stopping)
    {
        // A stream ends with the HTTP request, or when the member stops (curl watches would
        // otherwise hold the shutdown open).
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var options = new CallOptions(headers: Metadata(http.Request), cancellationToken: ending.Token);
        var body = new JsonValueStream(http.Request.BodyReader, maxValueBytes);
        try
        {
            if (route.Descriptor.IsClientStreaming) await DuplexAsync(http, route, invoker, options, body).ConfigureAwait(false);
            else await SingleRequestAsync(http, route, invoker, options, body).ConfigureAwait(false);
        }
        catch (GatewayBodyTooLargeException e) when (!http.Response.HasStarted)
        {
            await GatewayErrors.WriteAsync(http, StatusCode.ResourceExhausted, e.Message).ConfigureAwait(false);
        }
        catch (GatewayBodyTooLargeException)
        {
            // Mid-stream: the stream ends, as a refused message ends a gRPC stream.
            http.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException { StatusCode: StatusCode.Cancelled } && ending.IsCancellationRequested)
        {
            // The client went away or the member stops: nobody is left to answer.
        }
    }

    private static async Task SingleRequestAsync(HttpContext http, GatewayRoute route, CallInvoker invoker, CallOptions options, JsonValueStream body)
    {
        IMessage request;
        try
        {
            request = await ReadAsync(body, route.Descriptor.InputType, options.CancellationToken).ConfigureAwait(false)
                ?? route.Descriptor.InputType.Parser.ParseFrom(ByteString.Empty);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            await GatewayErrors.WriteAsync(http, StatusCode.InvalidArgument, e.Message).ConfigureAwait(false);
            return;
        }

        if (route.Descriptor.IsServerStreaming)
        {
            using var stream = invoker.AsyncServerStreamingCall(route.Method, null, options, request);
            await RelayAsync(http, stream.ResponseStream, options.CancellationToken).ConfigureAwait(false);
            return;
        }

        IMessage response;
        try
        {
            using var call = invoker.AsyncUnaryCall(route.Method, null, options, request);
            response = await call.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e) when (!options.CancellationToken.IsCancellationRequested)
        {
            await GatewayErrors.WriteAsync(http, e.StatusCode, e.Status.Detail).ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(ProtoJsonWriter.Format(response), options.CancellationToken).ConfigureAwait(false);
    }

    private static async Task DuplexAsync(HttpContext http, GatewayRoute route, CallInvoker invoker, CallOptions options, JsonValueStream body)
    {
        var token = options.CancellationToken;
        IMessage? first;
        try
        {
            first = await ReadAsync(body, route.Descriptor.InputType, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // grpc-gateway passes this decoding error on as it is, which makes it Unknown.
            await GatewayErrors.WriteAsync(http, StatusCode.Unknown, e.Message).ConfigureAwait(false);
            return;
        }

        using var call = invoker.AsyncDuplexStreamingCall(route.Method, null, options);
        var sending = Task.CompletedTask;
        if (first is null) await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        else
        {
            await call.RequestStream.WriteAsync(first, token).ConfigureAwait(false);
            sending = SendRestAsync(body, route.Descriptor.InputType, call.RequestStream, token);
        }
        try
        {
            await RelayAsync(http, call.ResponseStream, token).ConfigureAwait(false);
        }
        finally
        {
            await sending.ConfigureAwait(false);
        }
    }

    // The rest of the body, one request per JSON value; the first bad value or the end of the
    // body half-closes the stream, and the responses go on (a watch keeps watching).
    private static async Task SendRestAsync(JsonValueStream body, MessageDescriptor type, IClientStreamWriter<IMessage> requests, CancellationToken token)
    {
        try
        {
            while (await ReadAsync(body, type, token).ConfigureAwait(false) is { } request)
                await requests.WriteAsync(request, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FormatException or JsonException or OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
        }
        try
        {
            await requests.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or RpcException or InvalidOperationException)
        {
        }
    }

    private static async Task RelayAsync(HttpContext http, IAsyncStreamReader<IMessage> responses, CancellationToken token)
    {
        http.Response.ContentType = "application/json";
        var wrote = false;
        try
        {
            while (await responses.MoveNext(token).ConfigureAwait(false))
            {
                var chunk = new StringBuilder("{\"result\":");
                ProtoJsonWriter.Append(chunk, responses.Current);
                chunk.Append("}\n");
                await http.Response.WriteAsync(chunk.ToString(), token).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(token).ConfigureAwait(false);
                wrote = true;
            }
        }
        catch (RpcException e) when (!token.IsCancellationRequested)
        {
            if (!wrote) http.Response.StatusCode = GatewayErrors.HttpStatus(e.StatusCode);
            await http.Response.WriteAsync(GatewayErrors.StreamChunk(e.StatusCode, e.Status.Detail), token).ConfigureAwait(false);
        }
    }

    private static async ValueTask<IMessage?> ReadAsync(JsonValueStream body, MessageDescriptor type, CancellationToken token) =>
        await body.NextAsync(token).ConfigureAwait(false) is { } json ? ProtoJsonReader.Parse(json, type) : null;

    // grpc-gateway's AnnotateContext: the Authorization header and Grpc-Metadata-* headers become call metadata.
    // Every call also carries "grpcgateway-accept", which grpc-gateway derives from Accept: the
    // server knows by it that the TLS identity of the call is the gateway's (this member's own
    // certificate), not the HTTP client's, and never takes its common name as the user. etcd's
    // gateway omits it when the client sends no Accept header; here it is always sent.
    private static Metadata Metadata(HttpRequest request)
    {
        var metadata = new Metadata { { "grpcgateway-accept", request.Headers.Accept.ToString() is { Length: > 0 } accept ? accept : "*/*" } };
        foreach (var (name, values) in request.Headers)
        {
            string key;
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) key = "authorization";
            else if (name.StartsWith("Grpc-Metadata-", StringComparison.OrdinalIgnoreCase)) key = name["Grpc-Metadata-".Length..].ToLowerInvariant();
            else continue;
            foreach (var value in values)
                if (value is not null) metadata.Add(key, value);
        }
        return metadata;
    }
}
