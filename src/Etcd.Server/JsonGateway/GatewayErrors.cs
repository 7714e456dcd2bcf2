using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.WebUtilities;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// Failures as etcd's gateway (grpc-gateway v1) reports them: the gRPC code mapped to an HTTP
/// status, and a JSON body clients match on, one shape for a call and another inside a stream.
/// </summary>
public static class GatewayErrors
{
    /// <summary>grpc-gateway's HTTPStatusFromCode.</summary>
    public static int HttpStatus(StatusCode code) => code switch
    {
        StatusCode.OK => 200,
        StatusCode.Cancelled => 408,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => 400,
        StatusCode.DeadlineExceeded => 504,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.Aborted => 409,
        StatusCode.PermissionDenied => 403,
        StatusCode.Unauthenticated => 401,
        StatusCode.ResourceExhausted => 429,
        StatusCode.FailedPrecondition => 412,
        StatusCode.Unimplemented => 501,
        StatusCode.Unavailable => 503,
        _ => 500,
    };

    /// <summary>The body of a failed call: {"error":..,"message":..,"code":..}, empty strings left out as jsonpb does.</summary>
    public static string Body(StatusCode code, string message)
    {
        var text = new StringBuilder("{");
        if (message.Length > 0)
        {
            text.Append("\"error\":");
            GoJsonString.Append(text, message);
            text.Append(",\"message\":");
            GoJsonString.Append(text, message);
            text.Append(',');
        }
        text.Append("\"code\":").Append((int)code).Append('}');
        return text.ToString();
    }

    /// <summary>The chunk that ends a failed stream: {"error":{"grpc_code":..,"http_code":..,"message":..,"http_status":..}}.</summary>
    public static string StreamChunk(StatusCode code, string message)
    {
        var status = HttpStatus(code);
        var text = new StringBuilder("{\"error\":{");
        if (code != StatusCode.OK) text.Append("\"grpc_code\":").Append((int)code).Append(',');
        text.Append("\"http_code\":").Append(status);
        if (message.Length > 0)
        {
            text.Append(",\"message\":");
            GoJsonString.Append(text, message);
        }
        text.Append(",\"http_status\":");
        GoJsonString.Append(text, ReasonPhrases.GetReasonPhrase(status));
        text.Append("}}");
        return text.ToString();
    }

    public static Task WriteAsync(HttpContext http, StatusCode code, string message)
    {
        http.Response.StatusCode = HttpStatus(code);
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(Body(code, message), http.RequestAborted);
    }
}
